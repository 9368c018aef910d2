/** Entry point: read the pinned configuration, verify the ledger, render. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { App } from './app.js';
import type { LoadState } from './app.js';
import { readSiteConfig } from './config.js';
import { httpApi, loadLedger, localSeenStore } from './verify.js';
import './style.css';

function Root(): preact.JSX.Element {
  const [state, setState] = useState<LoadState>({ kind: 'loading' });
  const [api] = useState(() => {
    try {
      return httpApi(readSiteConfig(document).apiBase ?? '/public/v1');
    } catch {
      return httpApi('/public/v1');
    }
  });
  useEffect(() => {
    void (async () => {
      try {
        const config = readSiteConfig(document);
        setState({
          kind: 'loaded',
          ledger: await loadLedger(api, config, localSeenStore(localStorage)),
        });
      } catch (e) {
        setState({ kind: 'failed', error: e instanceof Error ? e : new Error(String(e)) });
      }
    })();
  }, []);
  return <App api={api} state={state} />;
}

render(<Root />, document.getElementById('app')!);
