// Registers the three elements (tags already defined are left alone).
import './elements/self-preview/define.js';
import './elements/video-grid/define.js';
import './elements/live-session/define.js';
