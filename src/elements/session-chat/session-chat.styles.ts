import { css } from 'lit';

export const sessionChatStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    gap: 8px;
  }
  [part='heading'] {
    font-size: 0.95rem;
    margin: 4px 0 0;
  }
  [part='messages'] {
    flex: 1 1 auto;
    min-height: 80px;
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: 6px;
    margin: 0;
    padding: 2px;
    list-style: none;
  }
  [part='messages']:focus-visible {
    outline: 3px solid var(--_focus-ring);
    outline-offset: 1px;
  }
  [part~='message'] {
    font-size: 0.9rem;
    line-height: 1.35;
    padding: 4px 6px;
    border-radius: calc(var(--_radius) / 2);
  }
  [part~='private'] {
    background: color-mix(in srgb, var(--_accent) 10%, transparent);
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0 6px;
  }
  [part='sender'] {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  /* The server's word for who is a tutor: a student named like the tutor still has no badge. */
  [part='sender-role'] {
    padding: 0 6px;
    border-radius: 999px;
    background: color-mix(in srgb, var(--_accent) 18%, transparent);
    font-size: 0.75rem;
    font-weight: 600;
  }
  [part='recipient'],
  time {
    color: var(--_muted-text);
    font-size: 0.8rem;
  }
  [part='text'] {
    margin: 2px 0 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  [part='text'] a {
    color: var(--_accent);
  }
  [part='delete'] {
    min-height: 24px;
    padding: 0 6px;
    margin-inline-start: auto;
  }
  [part='empty'],
  [part='chat-status'] {
    color: var(--_muted-text);
    font-size: 0.85rem;
    margin: 0;
  }
  [part='chat-error'] {
    margin: 0;
    font-size: 0.85rem;
    color: var(--_danger);
  }
  [part='composer'] {
    display: grid;
    gap: 6px;
  }
  [part='composer'] label {
    display: flex;
    align-items: center;
    gap: 6px;
    font-size: 0.85rem;
  }
  select,
  textarea {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid color-mix(in srgb, var(--_text) 30%, transparent);
    border-radius: calc(var(--_radius) / 1.5);
  }
  select {
    min-height: 32px;
    flex: 1;
    min-width: 0;
  }
  textarea {
    resize: vertical;
    min-height: 44px;
    padding: 6px 8px;
  }
  select:focus-visible,
  textarea:focus-visible,
  input:focus-visible {
    outline: 3px solid var(--_focus-ring);
    outline-offset: 1px;
  }
  .row {
    display: flex;
    gap: 6px;
    align-items: center;
    justify-content: space-between;
  }
`;
