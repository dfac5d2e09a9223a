import { CUSTOM_ELEMENTS_SCHEMA, Component, signal } from '@angular/core';
import type { LiveSessionElementEventMap } from 'live-session';
import { roomParams, SMALL_VIDEO } from './room-params';

/**
 * A room in Angular. CUSTOM_ELEMENTS_SCHEMA lets the template use the tags;
 * [property] bindings set properties (objects included), (ls-*) binds events,
 * whose type the handlers take from the package's event map.
 */
@Component({
  selector: 'app-root',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <main>
      <h1>Live lesson (Angular)</h1>
      <live-session
        [server]="params.server"
        [room]="params.room"
        [name]="params.name"
        [userRole]="params.userRole"
        [video]="video"
        [strings]="strings"
        autojoin
        style="display: block; height: 70vh"
        (ls-participant-joined)="onParticipantJoined($event)"
        (ls-error)="onError($event)"
      ></live-session>
      <ul id="arrivals">
        @for (name of arrivals(); track $index) {
          <li>{{ name }} joined</li>
        }
      </ul>
      @if (error(); as message) {
        <p role="alert">{{ message }}</p>
      }
    </main>
  `,
})
export class App {
  protected readonly params = roomParams();
  protected readonly video = SMALL_VIDEO;
  protected readonly strings = { join: 'Enter the classroom' };
  protected readonly arrivals = signal<string[]>([]);
  protected readonly error = signal<string | null>(null);

  // Angular types template events as Event; the package's map gives the detail.
  protected onParticipantJoined(event: Event): void {
    const { detail } = event as LiveSessionElementEventMap['ls-participant-joined'];
    this.arrivals.update((names) => [...names, detail.participant.name]);
  }

  protected onError(event: Event): void {
    const { detail } = event as LiveSessionElementEventMap['ls-error'];
    this.error.set(`${detail.code}: ${detail.message}`);
  }
}
