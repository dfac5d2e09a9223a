// Registers every element (tags already defined are left alone).
import './elements/participant-tile/define.js';
import './elements/participant-list/define.js';
import './elements/session-controls/define.js';
import './elements/session-chat/define.js';
import './elements/self-preview/define.js';
import './elements/device-settings/define.js';
import './elements/video-grid/define.js';
import './elements/live-session/define.js';
