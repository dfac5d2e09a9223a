/**
 * Fixtures of the element tests: a room server per `describe` block, a fresh
 * room per test, elements mounted into the page and removed after each test.
 */
import type { LiveSessionElement } from '../../src/elements/live-session/live-session.js';
import { uniqueId, useServer, waitFor, type ServerStartOptions, type StartedServer } from './helpers.js';
import { Classroom } from './session-helpers.js';

/** Creates `tag`, sets its properties and inline styles, appends it to the page and waits for its first render. */
export async function mountElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]>,
  style: Record<string, string> = {},
): Promise<HTMLElementTagNameMap[K]> {
  const element = document.createElement(tag);
  Object.assign(element, properties);
  for (const [name, value] of Object.entries(style)) element.style.setProperty(name, value);
  document.body.append(element);
  await (element as unknown as { updateComplete?: Promise<unknown> }).updateComplete;
  return element;
}

/**
 * For the tests of a part (`<video-grid>`, `<participant-tile>`, ...): a
 * Classroom on the block's room server, new for each test and closed after it,
 * with every element of `tags` the test mounted removed first (none for
 * controller-only tests: `[]`). `use` receives each test's Classroom. `server`:
 * which server the block starts (a room server with default options unless given).
 */
export function useClassroom(
  tags: keyof HTMLElementTagNameMap | readonly (keyof HTMLElementTagNameMap)[],
  use: (room: Classroom) => void,
  server: ServerStartOptions = { kind: 'room' },
): void {
  const started = useServer(server);
  let room: Classroom | undefined;
  beforeEach(() => {
    room = new Classroom(started.current);
    use(room);
  });
  afterEach(async () => {
    for (const tag of typeof tags === 'string' ? [tags] : tags) for (const element of document.querySelectorAll(tag)) element.remove();
    await room?.close();
    room = undefined;
  });
}

export interface LiveSessionFixture {
  /** The block's room server. */
  readonly server: StartedServer;
  /** This test's room id. */
  readonly room: string;
  /** A `<live-session>` on this test's room with these attributes (`true`: present, empty). */
  mount(attributes: Record<string, string | true>, parent?: HTMLElement): Promise<LiveSessionElement>;
}

/**
 * For the `<live-session>` tests: a room server per block, a room id per test,
 * and after each test every `<live-session>` removed and its session ended
 * (a removed element ends its session a task later: the fixture waits for it).
 */
export function useLiveSessionRoom(): LiveSessionFixture {
  const server = useServer({ kind: 'room' });
  let room = '';
  beforeEach(() => {
    room = uniqueId('room');
  });
  afterEach(async () => {
    const elements = [...document.querySelectorAll('live-session')];
    for (const element of elements) element.remove();
    await waitFor(() => elements.every((element) => element.session === undefined), 'removed elements ended their sessions');
  });
  return {
    get server() {
      return server.current;
    },
    get room() {
      return room;
    },
    async mount(attributes, parent = document.body) {
      const element = document.createElement('live-session');
      element.setAttribute('server', server.current.url);
      element.setAttribute('room', room);
      for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value === true ? '' : value);
      parent.append(element);
      await element.updateComplete;
      return element;
    },
  };
}

/** The shadow root of a `<live-session>`. */
export const shadow = (element: LiveSessionElement): ShadowRoot => element.shadowRoot as ShadowRoot;

/** Waits until the element has joined its room and rendered that. */
export async function joined(element: LiveSessionElement): Promise<void> {
  await waitFor(() => element.phase === 'joined', `${element.getAttribute('name') ?? ''} joined`);
  await element.updateComplete;
}
