import { css } from 'lit';

export const sessionControlsStyles = css`
  :host {
    display: block;
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
  [part='request'] {
    display: flex;
    align-items: center;
    gap: 8px;
  }
`;
