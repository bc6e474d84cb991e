import { type ReactNode, useEffect, useId, useRef } from "react";

/** A modal question (the browser's <dialog>: focus stays inside, Esc cancels). */
export function ConfirmModal({ open, children, confirmLabel, cancelLabel, onConfirm, onCancel, danger }: {
  open: boolean;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby={id} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <p id={id}>{children}</p>
      <div className="row gap-sm">
        <button type="button" className={`btn ${danger ? "btn-danger" : "btn-primary"}`} onClick={onConfirm}>{confirmLabel}</button>
        <button type="button" className="btn" onClick={onCancel} autoFocus>{cancelLabel}</button>
      </div>
    </dialog>
  );
}
