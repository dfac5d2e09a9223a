import { css } from 'lit';

export const deviceSettingsStyles = css`
  :host {
    display: grid;
    gap: var(--_gap);
    max-width: 360px;
  }
  label {
    display: grid;
    gap: 4px;
  }
  select {
    font: inherit;
    padding: 6px 8px;
    border-radius: calc(var(--_radius) * 2 / 3);
    border: 1px solid currentColor;
    background: var(--_surface);
    color: var(--_text);
  }
  select:focus-visible {
    outline: 2px solid var(--_focus-ring);
    outline-offset: 2px;
  }
  [part='speaker'] {
    display: grid;
    grid-template-columns: 1fr auto;
    align-items: end;
    gap: 8px;
  }
  [part='mic-level'] {
    display: block;
    width: 100%;
    height: 8px;
  }
`;
