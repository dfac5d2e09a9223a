import { css } from 'lit';

export const liveSessionStyles = css`
  :host {
    display: block;
    position: relative;
    min-height: 420px;
    background: var(--_background);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  [part='prejoin'],
  [part='ended'] {
    display: grid;
    justify-items: center;
    align-content: center;
    gap: 16px;
    padding: 24px;
    min-height: 420px;
    text-align: center;
  }
  [part='prejoin'] self-preview {
    --self-preview-width: min(360px, 80vw);
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
  [part='banner'] {
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
  [part='participants'] {
    grid-area: side;
    width: var(--live-session-sidebar-width, 220px);
    overflow-y: auto;
    padding: 8px 12px;
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  [part='room'] [part='controls'] {
    grid-area: controls;
  }
  @container (max-width: 640px) {
    [part='participants'] {
      display: none;
    }
  }
  @media (max-width: 640px) {
    [part='room'] {
      grid-template-columns: minmax(0, 1fr);
      grid-template-areas: 'banner' 'notices' 'stage' 'controls';
    }
    [part='participants'] {
      display: none;
    }
  }
`;
