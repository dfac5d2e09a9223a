import { css } from 'lit';

export const participantListStyles = css`
  :host {
    display: block;
  }
  [part='heading'] {
    font-size: 0.95rem;
    margin: 4px 0 8px;
  }
  [part='list'],
  [part='reaction-tally'],
  [part='hand-queue'] {
    list-style: none;
    margin: 0 0 12px;
    padding: 0;
    display: grid;
    gap: 4px;
  }
  li {
    display: flex;
    align-items: center;
    gap: 6px;
    font-size: 0.9rem;
  }
  [part='role'] {
    color: var(--_muted-text);
    font-size: 0.8rem;
  }
`;
