/** @jsxImportSource preact */
/**
 * Dialogs: one frame (Escape and the backdrop close it, focus goes inside),
 * and the dialogs the views open. A single host renders whichever is open, so
 * any view can call `openModal(<ErrorModal …/>)`.
 * @module
 */
import type { ComponentChildren, VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

type Setter = (node: VNode | null) => void;
let setModal: Setter = () => {};

export function openModal(node: VNode): void {
  setModal(node);
}

export function closeModal(): void {
  setModal(null);
}

export function ModalHost() {
  const [node, setNode] = useState<VNode | null>(null);
  useEffect(() => {
    setModal = setNode;
  }, []);
  return node;
}

export function Modal({ title, children, footer, wide = false }: { title: string; children: ComponentChildren; footer?: ComponentChildren; wide?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") closeModal();
    };
    window.addEventListener("keydown", onKey);
    const first = box.current?.querySelector<HTMLElement>("input, button.primary, button");
    first?.focus();
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && closeModal()}>
      <div class={`modal${wide ? " wide" : ""}`} role="dialog" aria-modal="true" aria-label={title} ref={box}>
        <header>
          <h2>{title}</h2>
          <button class="icon" type="button" aria-label="Close" onClick={closeModal}>
            ×
          </button>
        </header>
        <div class="modal-body">{children}</div>
        <footer>{footer ?? <button type="button" onClick={closeModal}>Close</button>}</footer>
      </div>
    </div>
  );
}

/** Asks for a number; `onSubmit` gets it when it is valid. */
export function PromptModal({ title, label, placeholder, valid, onSubmit }: { title: string; label: string; placeholder: string; valid: (n: number) => boolean; onSubmit: (n: number) => void }) {
  const [text, setText] = useState("");
  const n = Number(text);
  const ok = text.trim() !== "" && Number.isInteger(n) && valid(n);
  const submit = () => {
    if (!ok) return;
    closeModal();
    onSubmit(n);
  };
  return (
    <Modal
      title={title}
      footer={
        <>
          <button type="button" onClick={closeModal}>Cancel</button>
          <button type="button" class="primary" disabled={!ok} onClick={submit}>Set</button>
        </>
      }
    >
      <label class="field">
        {label}
        <input type="number" value={text} placeholder={placeholder} onInput={(e) => setText(e.currentTarget.value)} onKeyDown={(e) => e.key === "Enter" && submit()} />
      </label>
    </Modal>
  );
}

export function ConfirmModal({ title, children, action, danger = false, onConfirm }: { title: string; children: ComponentChildren; action: string; danger?: boolean; onConfirm: () => void }) {
  return (
    <Modal
      title={title}
      footer={
        <>
          <button type="button" onClick={closeModal}>Cancel</button>
          <button
            type="button"
            class={danger ? "danger" : "primary"}
            onClick={() => {
              closeModal();
              onConfirm();
            }}
          >
            {action}
          </button>
        </>
      }
    >
      {children}
    </Modal>
  );
}
