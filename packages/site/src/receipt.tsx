/**
 * Verify a receipt (what `cbm submit --receipt-out` writes), offline: dropped or chosen as a
 * file, checked in the page against the pinned log key and the witnesses with
 * @cbm-ledger/client's verifyReceipt — the same code `cbm verify` runs. Nothing is sent anywhere.
 */
import { useState } from 'preact/hooks';
import { verifyReceipt } from '@cbm-ledger/client';
import { NoteKeyType, encodeVkey } from '@cbm-ledger/protocol';
import type { Ledger } from './verify.js';
import { STRINGS, formatDate, formatNumber } from './i18n.js';
import type { Lang } from './i18n.js';

type Outcome =
  | { ok: true; index: number; treeSize: number; integratedAt: string; witnesses: string[] }
  | { ok: false; reason: string };

export function checkReceipt(text: string, ledger: Ledger): Outcome {
  let receipt: unknown;
  try {
    receipt = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the file is not JSON' };
  }
  try {
    const r = verifyReceipt(receipt, {
      logVkey: ledger.config.logVkey,
      witnesses: ledger.witnesses.map((w) =>
        encodeVkey(w.name, NoteKeyType.cosignatureV1, w.publicKey),
      ),
      quorum: ledger.config.witnessQuorum,
    });
    return {
      ok: true,
      index: r.index,
      treeSize: r.treeSize,
      integratedAt: r.leaf.integratedAt,
      witnesses: r.cosignatures.map((c) => c.name),
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

export function ReceiptPage(props: { lang: Lang; ledger: Ledger }): preact.JSX.Element {
  const t = STRINGS[props.lang];
  const { lang } = props;
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const read = (file: File | undefined): void => {
    if (file === undefined) return;
    void file.text().then((text) => setOutcome(checkReceipt(text, props.ledger)));
  };
  return (
    <>
      <h2>{t.receiptTitle}</h2>
      <p>{t.receiptIntro}</p>
      <div
        class="dropzone"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          read(e.dataTransfer?.files[0]);
        }}
      >
        <label for="receipt-file">{t.receiptChoose}</label>{' '}
        <input
          id="receipt-file"
          type="file"
          accept="application/json,.json"
          onChange={(e) => read(e.currentTarget.files?.[0])}
        />
      </div>
      {outcome !== undefined && (
        <section
          class={`banner ${outcome.ok ? 'verified' : 'failed'}`}
          data-receipt={outcome.ok ? 'verified' : 'failed'}
          aria-live="polite"
        >
          {outcome.ok ? (
            <p>
              ✔{' '}
              {t.receiptOk(
                formatNumber(lang, outcome.index),
                formatNumber(lang, outcome.treeSize),
                formatDate(lang, outcome.integratedAt, true),
                outcome.witnesses.join(', ') || '—',
              )}
            </p>
          ) : (
            <p>
              ✖ {t.receiptBad}: {outcome.reason}
            </p>
          )}
        </section>
      )}
    </>
  );
}
