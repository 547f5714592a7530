import { useState } from 'preact/hooks';
import { currentToken, setToken } from '../api.js';

/** Asks for a bearer token: the server refused a call without a valid one. */
export function TokenPrompt() {
  const [value, setValue] = useState('');
  const refused = currentToken() !== null;
  return (
    <form
      class="token-prompt"
      aria-labelledby="token-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) setToken(value.trim());
      }}
    >
      <h2 id="token-title">This server needs a token</h2>
      <p>
        {refused
          ? 'The server refused the token given. Enter another one.'
          : 'Enter a bearer token to read this server (kept in this browser tab only).'}
      </p>
      <label>
        Token{' '}
        <input
          type="password"
          name="token"
          autocomplete="off"
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
          autofocus
        />
      </label>{' '}
      <button type="submit">Use token</button>
    </form>
  );
}
