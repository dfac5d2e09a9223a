import { css } from 'lit';

export const participantListStyles = css`
  :host {
    display: block;
  }
  [part='heading'] {
    font-size: 0.95rem;
    margin: 4px 0 8px;
  }
  [part='admission'] {
    display: grid;
    gap: 4px;
    margin: 0 0 8px;
    font-size: 0.85rem;
  }
  [part='admission'] label {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  [part='waiting-list'] li button,
  [part='admit-all'] {
    min-height: 28px;
    padding: 0 8px;
  }
  [part='waiting-list'] li span {
    flex: 1;
  }
  [part='list'],
  [part='waiting-list'],
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
    /* A long name without spaces wraps instead of widening the panel. */
    min-width: 0;
    overflow-wrap: anywhere;
  }
  li > span:first-child {
    min-width: 0;
    unicode-bidi: isolate;
  }
  [part='role'] {
    color: var(--_muted-text);
    font-size: 0.8rem;
  }
`;
