/**
 * Queries that look through open shadow roots, for elements composed of other
 * elements (a button of `<session-controls>` inside `<live-session>`).
 */
import { buttonNamed } from './helpers.js';

/** `root` and every open shadow root below it, depth first. */
export function* shadowTrees(root: ParentNode): Generator<ParentNode> {
  yield root;
  if (root instanceof Element && root.shadowRoot) yield* shadowTrees(root.shadowRoot);
  for (const element of root.querySelectorAll('*')) {
    if (element.shadowRoot) yield* shadowTrees(element.shadowRoot);
  }
}

/** The first element matching `selector` in `root` or any shadow root below it. */
export function deepQuery(root: ParentNode, selector: string): HTMLElement | null {
  for (const tree of shadowTrees(root)) {
    const found = tree.querySelector<HTMLElement>(selector);
    if (found) return found;
  }
  return null;
}

/** Every element matching `selector` in `root` and the shadow roots below it. */
export function deepQueryAll(root: ParentNode, selector: string): HTMLElement[] {
  return [...shadowTrees(root)].flatMap((tree) => [...tree.querySelectorAll<HTMLElement>(selector)]);
}

/** A button by accessible name in `root` or any shadow root below it. */
export function deepButtonNamed(root: ParentNode, name: string | RegExp): HTMLButtonElement | null {
  for (const tree of shadowTrees(root)) {
    const found = buttonNamed(tree, name);
    if (found) return found;
  }
  return null;
}

/** The video of the tile matching `selector` in a `<video-grid>`'s shadow root. */
export function tileVideo(grid: Element | null | undefined, selector = '[data-participant]'): HTMLVideoElement | null {
  return grid?.shadowRoot?.querySelector(selector)?.shadowRoot?.querySelector('video') ?? null;
}
