import { css } from 'lit';
import { hiddenLabel } from '../shared/base.styles.js';

export const sessionControlsStyles = css`
  :host {
    display: block;
    container-type: inline-size;
  }
  [part='bar'] {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    align-items: center;
    gap: var(--_gap);
    padding: 4px;
  }
  [part='reactions'] {
    display: inline-flex;
    gap: 4px;
  }
  [part~='reaction'] {
    padding: 0 10px;
    font-size: 1.1rem;
  }
  [part='recording'] {
    display: inline-flex;
    align-items: center;
    gap: 4px;
    padding: 2px 8px;
    border-radius: 999px;
    color: var(--live-session-danger, #b91c1c);
    font-weight: 600;
  }
  [part='recordings'] ul {
    margin: 4px 0 0;
    padding-left: 1.2em;
  }
  [part='recordings'] li {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
  [part='request'] {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  /* Narrow (a phone, a narrow column): icon buttons a thumb can hit, names kept for assistive technology. */
  @container (max-width: 520px) {
    [part='bar'] {
      gap: 6px;
    }
    [part~='control']:has(> .label) {
      min-width: 44px;
      min-height: 44px;
      padding: 0 10px;
      justify-content: center;
    }
    .label {
      ${hiddenLabel}
    }
  }
`;
