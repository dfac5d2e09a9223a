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
  border: 3px solid var(--live-session-speaking);
  border-radius: inherit;
  pointer-events: none;
  opacity: 0;
  will-change: opacity;
  transition: opacity var(--live-session-transition);
`;

/**
 * The public theme, shared by the three elements. Every colour, radius, gap
 * and font is a CSS custom property with a default on :host; dark defaults
 * follow prefers-color-scheme.
 */
export const themeStyles = css`
  :host {
    --live-session-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --live-session-background: #f6f7f9;
    --live-session-surface: #ffffff;
    --live-session-text: #1b1f24;
    --live-session-muted-text: #5b6470;
    --live-session-accent: #2563eb;
    --live-session-accent-text: #ffffff;
    --live-session-danger: #c62828;
    --live-session-warning: #b45309;
    --live-session-tile-background: #1f2937;
    --live-session-tile-text: #f9fafb;
    --live-session-speaking: #22c55e;
    --live-session-focus-ring: #f59e0b;
    --live-session-radius: 12px;
    --live-session-gap: 8px;
    --live-session-transition: 150ms ease;
    font-family: var(--live-session-font-family);
    color: var(--live-session-text);
    box-sizing: border-box;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --live-session-background: #0f1115;
      --live-session-surface: #1a1d23;
      --live-session-text: #e8eaed;
      --live-session-muted-text: #a4acb9;
      --live-session-accent: #60a5fa;
      --live-session-accent-text: #0b1220;
      --live-session-danger: #f87171;
      --live-session-warning: #fbbf24;
      --live-session-tile-background: #111827;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    :host {
      --live-session-transition: 0ms;
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
  button {
    font: inherit;
    display: inline-flex;
    align-items: center;
    gap: 6px;
    min-height: 40px;
    padding: 0 14px;
    border-radius: calc(var(--live-session-radius) / 1.5);
    border: 1px solid color-mix(in srgb, var(--live-session-text) 20%, transparent);
    background: var(--live-session-surface);
    color: var(--live-session-text);
    cursor: pointer;
    transition: background var(--live-session-transition);
  }
  button:hover {
    background: color-mix(in srgb, var(--live-session-accent) 12%, var(--live-session-surface));
  }
  button:focus-visible {
    outline: 3px solid var(--live-session-focus-ring);
    outline-offset: 2px;
  }
  button[aria-pressed='true'] {
    background: var(--live-session-accent);
    color: var(--live-session-accent-text);
    border-color: var(--live-session-accent);
  }
  button.danger {
    background: var(--live-session-danger);
    color: #fff;
    border-color: var(--live-session-danger);
  }
  button.primary {
    background: var(--live-session-accent);
    color: var(--live-session-accent-text);
    border-color: var(--live-session-accent);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
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
