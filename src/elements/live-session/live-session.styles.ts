import { css } from 'lit';
import { hiddenLabel } from '../shared/base.styles.js';

export const liveSessionStyles = css`
  :host {
    display: block;
    position: relative;
    container: live-session / inline-size;
    min-height: 420px;
    background: var(--_background);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  [part='prejoin'],
  [part='unsupported'],
  [part='ended'] {
    display: grid;
    justify-items: center;
    align-content: center;
    gap: 16px;
    padding: 24px;
    min-height: 420px;
    text-align: center;
  }
  [part='prejoin'] self-preview,
  [part='unsupported'] self-preview {
    --self-preview-width: min(360px, 80vw);
  }
  [part='unsupported-heading'] {
    margin: 0;
    font-size: 1.25em;
  }
  [part='unsupported-reason'],
  [part='preview-only'] {
    max-width: 36em;
    margin: 0;
  }
  [part='name-field'] {
    display: grid;
    gap: 4px;
    text-align: start;
  }
  [part='name-field'] input {
    font: inherit;
    min-height: 40px;
    padding: 0 10px;
    border-radius: calc(var(--_radius) / 1.5);
    border: 1px solid color-mix(in srgb, var(--_text) 30%, transparent);
    background: var(--_surface);
    color: var(--_text);
  }
  [part='name-field'] input:focus-visible {
    outline: 3px solid var(--_focus-ring);
    outline-offset: 1px;
  }
  [part='notice'] {
    max-width: 40em;
    margin: 0;
    padding: 8px 12px;
    border-radius: calc(var(--_radius) / 1.5);
    background: color-mix(in srgb, var(--_warning) 18%, var(--_surface));
    color: var(--_text);
  }
  [part='room'] {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    grid-template-rows: auto auto minmax(0, 1fr) auto;
    grid-template-areas: 'banner banner' 'notices notices' 'stage side' 'controls controls';
    height: var(--live-session-height, 560px);
    gap: var(--_gap);
    padding: var(--_gap);
  }
  [part='notices'] {
    grid-area: notices;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  div[part~='banner'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
  }
  [part~='banner'] {
    grid-area: banner;
    margin: 0;
    padding: 6px 12px;
    border-radius: calc(var(--_radius) / 1.5);
    background: color-mix(in srgb, var(--_warning) 25%, var(--_surface));
  }
  .stage {
    grid-area: stage;
    position: relative;
    min-height: 0;
  }
  .stage video-grid {
    height: 100%;
  }
  .stage self-preview {
    position: absolute;
    right: 12px;
    bottom: 12px;
    z-index: 1;
    --self-preview-width: clamp(120px, 22%, 220px);
  }
  .side {
    grid-area: side;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    min-height: 0;
    width: var(--live-session-sidebar-width, 220px);
  }
  [data-chat-open] .side {
    width: var(--live-session-chat-width, 300px);
  }
  [part='participants'],
  [part='settings'],
  [part='chat'] {
    overflow-y: auto;
    padding: 8px 12px;
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  [part='participants'] {
    flex: 1 1 auto;
    min-height: 0;
  }
  [part='participants']:focus-visible {
    outline: 3px solid var(--_focus-ring);
    outline-offset: 1px;
  }
  [data-chat-open] [part='participants'] {
    flex: 0 1 auto;
    max-height: 35%;
  }
  [part='chat'] {
    flex: 1 1 auto;
    display: flex;
    min-height: 0;
  }
  [part='chat'] session-chat {
    flex: 1;
  }
  .controls-row {
    grid-area: controls;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  .controls-row session-controls {
    flex: 1 1 100%;
    min-width: 0;
  }
  [part~='chat-toggle'] {
    position: relative;
  }
  [part='unread-badge'] {
    min-width: 1.4em;
    padding: 0 5px;
    border-radius: 999px;
    background: var(--_danger);
    color: #fff;
    font-size: 0.75rem;
    line-height: 1.4em;
    text-align: center;
  }
  [part~='participants-toggle'],
  [part~='sheet-close'] {
    display: none;
  }
  /* Narrow (a phone, a narrow LMS column): one column, nothing covers a tile,
     icon controls within a thumb's reach, the participant list as a sheet. */
  @container live-session (max-width: 640px) {
    [part='room'] {
      position: relative;
      grid-template-columns: minmax(0, 1fr);
      grid-template-areas: 'banner' 'notices' 'stage' 'controls';
    }
    [part='room'][data-chat-open] {
      grid-template-rows: auto auto minmax(0, 1fr) minmax(0, 1fr) auto;
      grid-template-areas: 'banner' 'notices' 'stage' 'side' 'controls';
    }
    /* The self-preview takes its own row below the tiles instead of floating over them. */
    .stage {
      display: grid;
      grid-template-rows: minmax(0, 1fr) auto;
      gap: var(--_gap);
    }
    .stage self-preview {
      position: relative;
      right: auto;
      bottom: auto;
      justify-self: end;
      --self-preview-width: 112px;
    }
    .side {
      display: none;
    }
    [data-chat-open] .side {
      display: flex;
      width: auto;
    }
    [data-chat-open] [part='participants'] {
      display: none;
    }
    [part~='participants-toggle'] {
      display: inline-flex;
    }
    /* The participant sheet: over the lower room, above the controls. */
    [data-participants-open] .side {
      display: flex;
      position: absolute;
      inset: auto 0 0 0;
      z-index: 3;
      width: auto;
      max-height: 75%;
      padding: var(--_gap);
      border-radius: var(--_radius) var(--_radius) 0 0;
      background: var(--_background);
      box-shadow: 0 -6px 24px rgb(0 0 0 / 25%);
    }
    [data-participants-open] [part='participants'] {
      display: block;
      max-height: none;
    }
    [data-participants-open] [part~='sheet-close'] {
      display: inline-flex;
      float: inline-end;
    }
    .controls-row {
      justify-content: center;
      gap: 6px;
    }
    .controls-row [part~='control']:has(> .label),
    [part~='sheet-close'] {
      min-width: 44px;
      min-height: 44px;
      padding: 0 10px;
      justify-content: center;
    }
    .controls-row .label,
    [part~='sheet-close'] .label {
      ${hiddenLabel}
    }
  }
`;
