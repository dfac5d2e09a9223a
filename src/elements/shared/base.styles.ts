import { css } from 'lit';

/**
 * The speaking ring: a border on its own layer, shown by opacity. Drawing it on
 * the element that holds the video instead would make the browser repaint that
 * element with every video frame. Use as `selector::after { ${speakingRing} }`.
 */
export const speakingRing = css`
  content: '';
  position: absolute;
  inset: 0;
  border: 3px solid var(--_speaking);
  border-radius: inherit;
  pointer-events: none;
  opacity: 0;
  will-change: opacity;
  transition: opacity var(--_transition);
`;

/**
 * A host that shows one participant's video: the speaking ring on the host
 * (shown while the `speaking` attribute is present), the video filling it, and
 * the placeholder over it.
 */
export const videoSurface = css`
  :host::after {
    ${speakingRing}
  }
  :host([speaking])::after {
    opacity: 1;
  }
  [part='video'] {
    width: 100%;
    height: 100%;
    object-fit: cover;
    display: block;
  }
  [part='placeholder'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
  }
`;

/**
 * The theme tokens, shared by every element. Each public `--live-session-*`
 * custom property is only read, never declared here: inside each element a
 * private `--_x: var(--live-session-x, default)` takes the page's value or the
 * default, so a theme set on the page (or on any ancestor, such as
 * `<live-session>`) reaches every element, however deeply nested. Dark
 * defaults follow prefers-color-scheme.
 */
export const themeStyles = css`
  :host {
    --_font-family: var(--live-session-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_background: var(--live-session-background, #f6f7f9);
    --_surface: var(--live-session-surface, #ffffff);
    --_text: var(--live-session-text, #1b1f24);
    --_muted-text: var(--live-session-muted-text, #5b6470);
    --_accent: var(--live-session-accent, #2563eb);
    --_accent-text: var(--live-session-accent-text, #ffffff);
    --_danger: var(--live-session-danger, #c62828);
    --_warning: var(--live-session-warning, #b45309);
    --_tile-background: var(--live-session-tile-background, #1f2937);
    --_tile-text: var(--live-session-tile-text, #f9fafb);
    --_speaking: var(--live-session-speaking, #22c55e);
    --_focus-ring: var(--live-session-focus-ring, #f59e0b);
    --_radius: var(--live-session-radius, 12px);
    --_gap: var(--live-session-gap, 8px);
    --_transition: var(--live-session-transition, 150ms ease);
    font-family: var(--_font-family);
    color: var(--_text);
    box-sizing: border-box;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_background: var(--live-session-background, #0f1115);
      --_surface: var(--live-session-surface, #1a1d23);
      --_text: var(--live-session-text, #e8eaed);
      --_muted-text: var(--live-session-muted-text, #a4acb9);
      --_accent: var(--live-session-accent, #60a5fa);
      --_accent-text: var(--live-session-accent-text, #0b1220);
      --_danger: var(--live-session-danger, #f87171);
      --_warning: var(--live-session-warning, #fbbf24);
      --_tile-background: var(--live-session-tile-background, #111827);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    :host {
      --_transition: var(--live-session-transition, 0ms);
    }
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

/** Hides a button's text label while keeping it its accessible name (compact icon buttons). */
export const hiddenLabel = css`
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
`;

/** Buttons, for the elements that have some. */
export const buttonStyles = css`
  button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 6px;
    min-height: 40px;
    padding: 0 14px;
    border-radius: calc(var(--_radius) / 1.5);
    border: 1px solid color-mix(in srgb, var(--_text) 20%, transparent);
    background: var(--_surface);
    color: var(--_text);
    cursor: pointer;
    transition: background var(--_transition);
  }
  button:hover {
    background: color-mix(in srgb, var(--_accent) 12%, var(--_surface));
  }
  button:focus-visible {
    outline: 3px solid var(--_focus-ring);
    outline-offset: 2px;
  }
  button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--_accent-text);
    border-color: var(--_accent);
  }
  button.danger {
    background: var(--_danger);
    color: #fff;
    border-color: var(--_danger);
  }
  button.primary {
    background: var(--_accent);
    color: var(--_accent-text);
    border-color: var(--_accent);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
`;
