// Registers the elements before Svelte renders them.
import 'live-session';
import { mount } from 'svelte';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing');
mount(App, { target });
