import { render } from 'preact';
import './style.css';
import { App } from './views/app.js';

const root = document.getElementById('root');
if (root) render(<App />, root);
