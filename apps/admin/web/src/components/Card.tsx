import type { ReactNode } from 'react';

/** One figure of a page's totals: its label, its value, and anything to do with it (a button). */
export function Card({ label, value, warn = false, small = false, children }: { label: string; value: ReactNode; warn?: boolean; small?: boolean; children?: ReactNode }) {
  return (
    <div className={warn ? 'card card-warn' : 'card'}>
      <span className="card-label">{label}</span>
      <span className={small ? 'card-value small-value' : 'card-value'}>{value}</span>
      {children}
    </div>
  );
}
