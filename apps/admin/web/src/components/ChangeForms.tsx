import { type FormEvent, useState } from 'react';
import { PreviewPolicyDocument, PreviewTierDocument, SetPolicyDocument, SetTierDocument } from '../api/documents';
import { ApiError, request } from '../api/graphql';
import type { QuotaTier } from '../gql/graphql';
import { formatBytes, formatCount, parseBytes } from '../lib/format';
import { ErrorBox } from './Feedback';

interface Preview {
  people: number;
  envelopes: number;
  bytes: number;
  /** false: more than 1,000 people affected; envelopes and bytes count the 1,000 largest only */
  complete: boolean;
}

function PreviewText({ preview }: { preview: Preview }) {
  if (preview.envelopes === 0 && preview.complete) return <p role="status" className="preview preview-none">Nothing will be evicted.</p>;
  const atLeast = preview.complete ? '' : 'at least ';
  return (
    <p role="status" className="preview preview-evicts">
      <strong>
        {atLeast}
        {formatCount(preview.envelopes)} envelopes, {formatBytes(preview.bytes)} will be evicted
      </strong>
      {preview.people > 1 && <> from {formatCount(preview.people)} people</>}.
      {!preview.complete && <> (counted for the 1,000 people most over their limit)</>}
    </p>
  );
}

/**
 * Two steps: a dry run on the hub (nothing changes) shows what would be evicted, then Confirm
 * applies exactly the previewed values. Editing a value discards the preview.
 */
function useTwoStep<V>() {
  const [preview, setPreview] = useState<{ values: V; result: Preview }>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(String(err), 'ERROR'));
    } finally {
      setBusy(false);
    }
  };
  return { preview, setPreview, error, setError, busy, run };
}

/** The dry run's answer and the two buttons: Preview (the form's submit) and Confirm. */
function PreviewActions({ step, onConfirm }: { step: { error?: ApiError; preview?: { result: Preview }; busy: boolean }; onConfirm: () => void }) {
  return (
    <>
      <ErrorBox error={step.error} />
      {step.preview && <PreviewText preview={step.preview.result} />}
      <div className="actions">
        <button type="submit" disabled={step.busy}>
          Preview
        </button>
        <button type="button" className="primary" disabled={!step.preview || step.busy} onClick={onConfirm}>
          Confirm change
        </button>
      </div>
    </>
  );
}

export function TierForm(props: { region: string; publicKey: string; tier: QuotaTier; override: number | null; onDone: () => void }) {
  const [tier, setTier] = useState<QuotaTier>(props.tier);
  const [override, setOverride] = useState(props.override === null ? '' : String(props.override));
  const step = useTwoStep<{ tier: QuotaTier; overrideBytes: number | null }>();
  const values = () => {
    const overrideBytes = override.trim() === '' ? null : parseBytes(override);
    if (overrideBytes === null && override.trim() !== '') throw new ApiError('the override is not a size (e.g. 500 MB, 2 GB or a number of bytes)', 'BAD_USER_INPUT');
    if (tier === 'UNLIMITED' && overrideBytes !== null) throw new ApiError('an UNLIMITED person cannot have an override', 'BAD_USER_INPUT');
    return { tier, overrideBytes };
  };
  const previewIt = (e: FormEvent) => {
    e.preventDefault();
    void step.run(async () => {
      const v = values();
      const r = await request(PreviewTierDocument, { region: props.region, publicKey: props.publicKey, ...v });
      step.setPreview({ values: v, result: r.previewPersonTier });
    });
  };
  const confirm = () =>
    void step.run(async () => {
      await request(SetTierDocument, { region: props.region, publicKey: props.publicKey, ...step.preview!.values });
      props.onDone();
    });
  return (
    <form onSubmit={previewIt} className="stack">
      <label className="field">
        <span>Tier</span>
        <select value={tier} onChange={(e) => (setTier(e.target.value as QuotaTier), step.setPreview(undefined))}>
          <option value="DEFAULT">Default</option>
          <option value="TRUSTED">Trusted</option>
          <option value="UNLIMITED">Unlimited</option>
        </select>
      </label>
      <label className="field">
        <span>Own limit (override), e.g. 500 MB; empty for none</span>
        <input value={override} onChange={(e) => (setOverride(e.target.value), step.setPreview(undefined))} disabled={tier === 'UNLIMITED'} />
      </label>
      <PreviewActions step={step} onConfirm={confirm} />
    </form>
  );
}

export function PolicyForm(props: { region: string; defaultBytes: number; trustedBytes: number; onDone: () => void }) {
  const [defaultText, setDefault] = useState(formatBytes(props.defaultBytes));
  const [trustedText, setTrusted] = useState(formatBytes(props.trustedBytes));
  const step = useTwoStep<{ defaultBytes: number; trustedBytes: number }>();
  const values = () => {
    const defaultBytes = parseBytes(defaultText);
    const trustedBytes = parseBytes(trustedText);
    if (defaultBytes === null || trustedBytes === null) throw new ApiError('limits are sizes such as 200 MB, 1 GB or a number of bytes', 'BAD_USER_INPUT');
    return { defaultBytes, trustedBytes };
  };
  const previewIt = (e: FormEvent) => {
    e.preventDefault();
    void step.run(async () => {
      const v = values();
      const r = await request(PreviewPolicyDocument, { region: props.region, ...v });
      step.setPreview({ values: v, result: r.previewQuotaPolicy });
    });
  };
  const confirm = () =>
    void step.run(async () => {
      await request(SetPolicyDocument, { region: props.region, ...step.preview!.values });
      props.onDone();
    });
  return (
    <form onSubmit={previewIt} className="stack">
      <label className="field">
        <span>Default tier limit</span>
        <input value={defaultText} onChange={(e) => (setDefault(e.target.value), step.setPreview(undefined))} />
      </label>
      <label className="field">
        <span>Trusted tier limit</span>
        <input value={trustedText} onChange={(e) => (setTrusted(e.target.value), step.setPreview(undefined))} />
      </label>
      <PreviewActions step={step} onConfirm={confirm} />
    </form>
  );
}
