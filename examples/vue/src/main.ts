// Registers the elements before Vue renders them.
import 'live-session';
import { createApp } from 'vue';
import App from './App.vue';

createApp(App).mount('#app');
