/**
 * Mistakes the types catch. Each line below must be an error: tsc fails on an
 * unused @ts-expect-error, so this file proves the package's typing is strict.
 */
import { LiveSession, VideoGrid } from 'live-session/react';

export const mistakes = (
  <>
    {/* @ts-expect-error: the role is 'tutor' | 'student' */}
    <LiveSession userRole="teacher" />
    {/* @ts-expect-error: there is no such property */}
    <LiveSession topologyy="mesh" />
    {/* @ts-expect-error: `video` is constraints or false, not a string */}
    <LiveSession video="on" />
    {/* @ts-expect-error: the detail of ls-joined has no `roomName` */}
    <LiveSession onLsJoined={(event) => event.detail.roomName} />
    {/* @ts-expect-error: <video-grid> has no `room` */}
    <VideoGrid room="x" />
    {/* @ts-expect-error: the bare tag's role attribute is 'tutor' | 'student' too */}
    <live-session user-role="teacher" />
    {/* @ts-expect-error: unknown attribute on the bare tag */}
    <video-grid layoutt="speaker" />
  </>
);
