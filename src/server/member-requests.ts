/**
 * What a member of a room may ask of it, once the socket gate, the join and
 * the role check are behind: each request type goes to the unit that handles
 * it (room actions, chat, reactions, floor control, the waiting room), and a
 * refusal goes back to the sender as LS-ERROR.
 */
import type { ClientMessageType } from '../protocol/index.js';
import type { RoomActions } from './room-actions.js';
import { RoomChat } from './room-chat.js';
import type { RequestOutcome } from './request-outcome.js';
import { RoomReactions } from './room-reactions.js';
import type { SocketGate } from './socket-gate.js';
import type { JoinedMembership, SocketSession } from './socket-session.js';

export class MemberRequests {
  readonly #gate: SocketGate;
  readonly #actions: RoomActions;
  readonly #chat: RoomChat;
  readonly #reactions = new RoomReactions();

  constructor(gate: SocketGate, actions: RoomActions, chat: RoomChat) {
    this.#gate = gate;
    this.#actions = actions;
    this.#chat = chat;
  }

  /** A request of a member whose role allows it. */
  handle(session: SocketSession, membership: JoinedMembership, type: ClientMessageType, frame: Record<string, unknown>): void {
    const actions = this.#actions;
    switch (type) {
      case 'LS-LEAVE':
        actions.removeMember(membership.member, 'left');
        return;
      case 'LS-STATE':
        actions.setState(session, membership, frame);
        return;
      case 'LS-HAND':
        actions.raiseHand(session, membership, frame);
        return;
      case 'LS-MUTE-ALL':
        actions.muteAll(membership);
        return;
      case 'LS-READMIT':
        actions.readmit(session, membership, frame);
        return;
      case 'LS-MUTE':
      case 'LS-REMOVE':
      case 'LS-LOWER-HAND':
      case 'LS-ASK-UNMUTE':
        actions.tutorAction(session, membership, type, frame);
        return;
      case 'LS-CHAT':
        this.#answer(session, type, this.#chat.send(membership.member, frame['payload']));
        return;
      case 'LS-CHAT-DELETE':
        this.#answer(session, type, this.#chat.delete(membership.member, frame['payload']));
        return;
      case 'LS-CHAT-POLICY':
        this.#answer(session, type, this.#chat.setPolicy(membership.member, frame['payload']));
        return;
      case 'LS-INVITE-SPEAK':
        this.#answer(session, type, actions.floor.invite(membership.member, frame));
        return;
      case 'LS-END-TURN':
        this.#answer(session, type, actions.floor.endTurn(membership.member, frame));
        return;
      case 'LS-TALKING-STICK':
        this.#answer(session, type, actions.floor.setTalkingStick(membership.member, frame['payload']));
        return;
      case 'LS-SPEAK-ANSWER':
        this.#answer(session, type, actions.floor.answer(membership.member, frame['payload']));
        return;
      case 'LS-ADMISSION':
        this.#answer(session, type, actions.waitingRoom.configure(membership.room.name, membership.member.info.id, frame['payload']));
        return;
      case 'LS-ADMIT':
        this.#answer(session, type, actions.waitingRoom.admit(membership.room.name, frame['payload']));
        return;
      case 'LS-DENY':
        this.#answer(session, type, actions.waitingRoom.deny(membership.room.name, frame['payload']));
        return;
      case 'LS-SCREEN-SHARE':
        this.#answer(session, type, actions.screen.share(membership.member, frame['payload']));
        return;
      case 'LS-SHARE-POLICY':
        this.#answer(session, type, actions.screen.setPolicy(membership.member, frame['payload']));
        return;
      case 'LS-REACT':
        this.#answer(session, type, this.#reactions.react(membership.member, frame['payload']));
        return;
      case 'LS-ICE':
        this.#answer(session, type, actions.refreshRelay(membership.member));
        return;
      case 'LS-SFU-TICKET':
        this.#answer(session, type, actions.sfuTicket(membership.member));
        return;
      case 'LS-RECORD':
        this.#answer(session, type, actions.record(membership.member, frame['payload']));
        return;
    }
  }


  #answer(session: SocketSession, request: ClientMessageType, outcome: RequestOutcome): void {
    if (outcome.ok) return;
    if (outcome.malformed) this.#gate.refuseMalformed(session, outcome.code, outcome.message, request);
    else this.#gate.refuse(session, request, outcome.code, outcome.message);
  }
}
