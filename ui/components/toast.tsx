/** @jsxImportSource preact */
/** Short notices after an action ("Forgiven: Task(x=1)"), gone after a few seconds. @module */
import { useEffect, useState } from "preact/hooks";

interface Notice {
  id: number;
  text: string;
  kind: "info" | "error";
}

let push: (n: Notice) => void = () => {};
let next = 1;

export function toast(text: string, kind: "info" | "error" = "info"): void {
  push({ id: next++, text, kind });
}

export function ToastHost() {
  const [notices, setNotices] = useState<Notice[]>([]);
  useEffect(() => {
    push = (n) => {
      setNotices((list) => [...list.slice(-3), n]);
      setTimeout(() => setNotices((list) => list.filter((x) => x.id !== n.id)), 4000);
    };
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`toast ${n.kind}`}>
          {n.text}
        </div>
      ))}
    </div>
  );
}
