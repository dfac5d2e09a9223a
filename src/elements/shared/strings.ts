/**
 * Every visible string of the elements. Replace any of them through the
 * `strings` property of `<live-session>` (it passes them down), or of each
 * element used on its own. Functions receive the variable parts.
 */
import type { Reaction } from '../../protocol/index.js';
import { describeMediaFailure, type MediaKind, type MediaProblem } from '../../core/media.js';
import { describeNetworkBlocked } from '../../core/support.js';
import type { ConnectionQuality, LinkFigures } from '../../core/link-quality.js';

export interface LiveSessionStrings {
  join: string;
  joining: string;
  leave: string;
  rejoin: string;
  yourName: string;
  cameraOn: string;
  cameraOff: string;
  turnCameraOn: string;
  turnCameraOff: string;
  muteMicrophone: string;
  unmuteMicrophone: string;
  microphoneOn: string;
  microphoneOff: string;
  raiseHand: string;
  lowerHand: string;
  muteAll: string;
  you: string;
  tutor: string;
  student: string;
  participants: string;
  sessionControls: string;
  handQueue: string;
  waitingForTutor: string;
  noStudentsYet: string;
  reconnecting: string;
  /** A tile's connection indicator (three bars): its name, and its tooltip of the figures. */
  connectionQuality: (quality: ConnectionQuality) => string;
  connectionFigures: (figures: LinkFigures) => string;
  /** The banner while your own connection is poor; `shared` in a room with one other person, where either side may be the cause. */
  connectionUnstable: (shared: boolean) => string;
  /** Incoming video: the offer in the unstable-connection banner, the banner while it is off, its button, and a tile's placeholder then. */
  turnOffIncomingVideo: string;
  incomingVideoIsOff: string;
  turnOnIncomingVideo: string;
  videoPaused: string;
  connecting: string;
  enableAudio: string;
  dismiss: string;
  left: string;
  removed: string;
  replaced: string;
  disconnected: string;
  linkExpired: string;
  /** Receives the attribute as written, e.g. `user-role="Tutor"`. */
  invalidRole: (found: string) => string;
  mute: (name: string) => string;
  lowerHandOf: (name: string) => string;
  remove: (name: string) => string;
  askToUnmute: (name: string) => string;
  handPosition: (position: number) => string;
  joinedAnnouncement: (name: string) => string;
  leftAnnouncement: (name: string) => string;
  handAnnouncement: (name: string) => string;
  mutedAnnouncement: string;
  unmuteRequested: string;
  videoOf: (name: string) => string;
  chat: string;
  chatMessages: string;
  noMessagesYet: string;
  message: string;
  send: string;
  sendTo: string;
  everyone: string;
  studentsMayChat: string;
  chatOffForStudents: string;
  /** After the sender's name of a private message. */
  privateTo: (name: string) => string;
  /** A private option in the recipient list. */
  privatelyTo: (name: string) => string;
  deleteMessageFrom: (name: string) => string;
  unreadMessages: (count: number) => string;
  chatAnnouncement: (name: string, text: string) => string;
  react: string;
  reactions: string;
  waitingToBeLetIn: string;
  waitingRoom: string;
  lockRoom: string;
  admit: string;
  admitAll: string;
  deny: string;
  waitingCount: (count: number) => string;
  admitName: (name: string) => string;
  denyName: (name: string) => string;
  waitingAnnouncement: (name: string) => string;
  invitedToSpeak: string;
  accept: string;
  decline: string;
  talkingStick: string;
  hasFloor: string;
  floorBadge: string;
  invitedLabel: string;
  inviteToSpeak: (name: string) => string;
  endTurn: (name: string) => string;
  /** The camera and microphone pickers' labels, and the level meter's name. */
  cameraDevice: string;
  /** The in-call device settings button and panel. */
  settings: string;
  microphoneDevice: string;
  microphoneLevel: string;
  /** The tutor's grid, a page at a time when the tiles do not fit: the bar's name, its buttons, and where you are. */
  pages: string;
  previousPage: string;
  nextPage: string;
  pageOf: (page: number, pages: number) => string;
  /** A tile's Pin button (shows that participant large), pressed and not. */
  pin: (name: string) => string;
  unpin: (name: string) => string;
  /** The layout switch (pressed: the active speaker large above a strip; not: everyone in a grid). */
  speakerView: string;
  /** Closes the participant sheet (narrow layouts). */
  close: string;
  /** The speaker picker's label, and its test button. */
  speakerDevice: string;
  testSpeaker: string;
  shareScreen: string;
  stopSharing: string;
  studentsMayShare: string;
  /** Shown to everyone while the lesson is being recorded. */
  recordingNow: string;
  /** The tutor's record toggle. */
  record: string;
  stopRecording: string;
  /** The tutor's list of the room's recordings: "Recordings (2)". */
  recordings: (count: number) => string;
  /** A recording's state in the list, while janus-pp-rec converts it, or when it could not. */
  recordingConverting: string;
  recordingFailed: string;
  /** A ready recording one of whose tracks (camera or sound) could not be converted; the server's words are its tooltip. */
  recordingPartial: string;
  /** A recording's download links. */
  recordingVideo: string;
  recordingAudio: string;
  /** The shared screen's caption and label: "Tess's screen". */
  screenOf: (name: string) => string;
  youAreSharing: string;
  fullScreen: string;
  pictureInPicture: (name: string) => string;
  /** Announced when a share starts: "Tess is sharing their screen". */
  shareStarted: (name: string) => string;
  shareEnded: string;
  /** Our own share ended because someone else started one (or students may no longer share). */
  shareReplaced: string;
  shareNotAllowed: string;
  shareFailed: string;
  /** The tutor's button for the attendance CSV. */
  downloadAttendance: string;
  /** Why the attendance was not downloaded; `reason` is the server's or the session's message. */
  attendanceFailed: (reason: string) => string;
  /** What each reaction is called (its button's name, its badge's label). */
  reactionNames: Readonly<Record<Reaction, string>>;
  /** Shown on a tile or in the list: "Sam: I'm confused". */
  reactionOf: (name: string, reaction: string) => string;
  /** In place of the room when this browser cannot make calls: the heading. */
  callsUnsupported: string;
  /** Why: the browser has no WebRTC (or it is turned off). */
  webrtcUnsupported: string;
  /** Why: the page is served over plain HTTP. */
  insecureContext: string;
  /** Below the explanation when the camera works: the preview is only a check. */
  previewOnly: string;
  /**
   * Why the camera or microphone could not be used, and how to fix it:
   * `problem` is `denied`, `missing`, `busy`, `unsupported` (no getUserMedia:
   * plain HTTP or an old browser) or `failed`.
   */
  mediaProblem: (device: MediaKind, problem: MediaProblem) => string;
  /** A media connection never got through: the network seems to block calls. */
  networkBlocked: (name: string) => string;
  /** The same in relay-only mode: the TURN relay could not be reached. */
  networkBlockedRelay: (name: string) => string;
}

export const defaultStrings: LiveSessionStrings = {
  join: 'Join',
  joining: 'Joining…',
  leave: 'Leave',
  rejoin: 'Join again',
  yourName: 'Your name',
  cameraOn: 'Camera on',
  cameraOff: 'Camera off',
  turnCameraOn: 'Turn camera on',
  turnCameraOff: 'Turn camera off',
  muteMicrophone: 'Mute microphone',
  unmuteMicrophone: 'Unmute microphone',
  microphoneOn: 'Microphone on',
  microphoneOff: 'Microphone off',
  raiseHand: 'Raise hand',
  lowerHand: 'Lower hand',
  muteAll: 'Mute everyone',
  you: 'You',
  tutor: 'Tutor',
  student: 'Student',
  participants: 'Participants',
  sessionControls: 'Session controls',
  handQueue: 'Raised hands',
  waitingForTutor: 'Waiting for the tutor…',
  noStudentsYet: 'No students yet',
  reconnecting: 'Connection lost. Reconnecting…',
  connectionQuality: (quality) => `Connection: ${quality}`,
  connectionFigures: (f) =>
    [
      f.rttMs === null ? null : `round trip ${String(Math.round(f.rttMs))} ms`,
      f.lossPercent === null ? null : `loss ${f.lossPercent.toFixed(1)} % in`,
      f.outgoingLossPercent === null ? null : `${f.outgoingLossPercent.toFixed(1)} % out`,
      f.framesPerSecond === null ? null : `${f.framesPerSecond.toFixed(0)} fps`,
      f.freezes > 0 ? `${String(f.freezes)} freeze${f.freezes > 1 ? 's' : ''}` : null,
      f.outgoingKbps === null ? null : `${String(Math.round(f.outgoingKbps))} kbit/s to send`,
      f.silent ? 'nothing received' : null,
    ]
      .filter((part) => part !== null)
      .join(', '),
  turnOffIncomingVideo: 'Turn off incoming video',
  incomingVideoIsOff: 'Incoming video is off to spare your connection: you hear everyone and see shared screens.',
  turnOnIncomingVideo: 'Turn incoming video on',
  videoPaused: 'video paused to spare your connection',
  connectionUnstable: (shared) =>
    shared ? 'The connection is unstable: video may freeze or drop. Sound comes first.' : 'Your connection is unstable: video may freeze or drop. Sound comes first.',
  connecting: 'Connecting…',
  enableAudio: 'Click to enable audio',
  dismiss: 'Dismiss',
  left: 'You left the session.',
  removed: 'The tutor removed you from the session.',
  replaced: 'You joined from another tab or window, so this one left.',
  disconnected: 'You are disconnected.',
  linkExpired: 'Your link to this session has expired. Open the session again from where you found the link.',
  invalidRole: (found) => `The participant's role must be user-role="tutor" or user-role="student" (this page has ${found}).`,
  mute: (name) => `Mute ${name}`,
  lowerHandOf: (name) => `Lower ${name}'s hand`,
  remove: (name) => `Remove ${name}`,
  askToUnmute: (name) => `Ask ${name} to unmute`,
  handPosition: (position) => `Hand raised, number ${position} in the queue`,
  joinedAnnouncement: (name) => `${name} joined`,
  leftAnnouncement: (name) => `${name} left`,
  handAnnouncement: (name) => `${name} raised a hand`,
  mutedAnnouncement: 'The tutor muted your microphone. You can unmute yourself.',
  unmuteRequested: 'The tutor asks you to unmute.',
  videoOf: (name) => `Video of ${name}`,
  chat: 'Chat',
  chatMessages: 'Chat messages',
  noMessagesYet: 'No messages yet',
  message: 'Message',
  send: 'Send',
  sendTo: 'To',
  everyone: 'Everyone',
  studentsMayChat: 'Students may write to everyone',
  chatOffForStudents: 'The tutor has turned off messages to everyone. You can still write to the tutor.',
  privateTo: (name) => `to ${name} (private)`,
  privatelyTo: (name) => `${name} (private)`,
  deleteMessageFrom: (name) => `Delete message from ${name}`,
  unreadMessages: (count) => `${count} unread`,
  chatAnnouncement: (name, text) => `${name}: ${text}`,
  react: 'React',
  reactions: 'Reactions',
  waitingToBeLetIn: 'Waiting for the tutor to let you in…',
  waitingRoom: 'Waiting room',
  lockRoom: 'Lock room',
  admit: 'Admit',
  admitAll: 'Admit all',
  deny: 'Deny',
  waitingCount: (count) => `Waiting (${count})`,
  admitName: (name) => `Admit ${name}`,
  denyName: (name) => `Deny ${name}`,
  waitingAnnouncement: (name) => `${name} is waiting to join`,
  invitedToSpeak: 'The tutor invites you to speak.',
  accept: 'Accept',
  decline: 'Decline',
  talkingStick: 'Talking stick',
  hasFloor: 'has the floor',
  floorBadge: 'Has the floor',
  invitedLabel: 'invited to speak',
  inviteToSpeak: (name) => `Invite ${name} to speak`,
  endTurn: (name) => `End ${name}'s turn`,
  cameraDevice: 'Camera',
  settings: 'Settings',
  microphoneDevice: 'Microphone',
  microphoneLevel: 'Microphone level',
  pages: 'Pages',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  pageOf: (page, pages) => `Page ${String(page)} of ${String(pages)}`,
  pin: (name) => `Pin ${name}`,
  unpin: (name) => `Unpin ${name}`,
  speakerView: 'Speaker view',
  close: 'Close',
  speakerDevice: 'Speaker',
  testSpeaker: 'Play a test sound',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  studentsMayShare: 'Students may share',
  recordingNow: 'Recording',
  record: 'Record',
  stopRecording: 'Stop recording',
  recordings: (count) => `Recordings (${String(count)})`,
  recordingConverting: 'converting…',
  recordingFailed: 'could not be saved',
  recordingPartial: 'partly saved',
  recordingVideo: 'Video',
  recordingAudio: 'Sound',
  screenOf: (name) => `${name}'s screen`,
  youAreSharing: 'You are sharing your screen',
  fullScreen: 'Full screen',
  pictureInPicture: (name) => `Picture-in-picture: ${name}`,
  shareStarted: (name) => `${name} is sharing their screen`,
  shareEnded: 'Screen sharing ended',
  shareReplaced: 'Your screen share ended: someone else is sharing now.',
  shareNotAllowed: 'The tutor has not allowed students to share their screen.',
  shareFailed: 'The screen could not be shared.',
  downloadAttendance: 'Download attendance',
  attendanceFailed: (reason) => `Attendance not downloaded: ${reason}`,
  reactionNames: { 'thumbs-up': 'Thumbs up', clap: 'Clap', confused: "I'm confused", slower: 'Slower, please' },
  reactionOf: (name, reaction) => `${name}: ${reaction}`,
  callsUnsupported: 'Video calls cannot start in this browser',
  webrtcUnsupported:
    'This browser has no WebRTC, the technology video calls use, or it is turned off. Open this page in a current Chrome, Edge, Firefox or Safari; on a managed device, ask your administrator to allow WebRTC.',
  insecureContext: 'This page is not served over HTTPS, so the browser does not allow video calls here. Open it through an https:// address, or ask the site to enable HTTPS.',
  previewOnly: 'Your camera and microphone work here: this preview is only a check; nobody sees it.',
  mediaProblem: (device, problem) => describeMediaFailure(device, problem),
  networkBlocked: (name) => describeNetworkBlocked(name, false),
  networkBlockedRelay: (name) => describeNetworkBlocked(name, true),
};

/** The symbol of each reaction (decorative: the name is what assistive technology reads). */
export const REACTION_SYMBOLS: Readonly<Record<Reaction, string>> = { 'thumbs-up': '👍', clap: '👏', confused: '😕', slower: '🐢' };

export function mergeStrings(overrides: Partial<LiveSessionStrings> | undefined): LiveSessionStrings {
  return overrides ? { ...defaultStrings, ...overrides } : defaultStrings;
}

/** Initials for a camera-off placeholder: "Ada Lovelace" → "AL". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => Array.from(w ?? '')[0]?.toUpperCase() ?? '').join('') || '?';
}
