/**
 * Batched failure e-mails (`[scheduler] batch_emails = true`), composed as
 * Luigi's BatchNotifier composes them (rpc.md §10.1, server.md §7.3): counts
 * per recipient and group key, the last few distinct explanations, one
 * message per recipient per interval.
 * @module
 */
import type { BatchEmailConfig } from "../../config/types.ts";
import type { Seconds } from "../../engine/types.ts";

export interface BatchedEmail {
  recipient: string;
  subject: string;
  body: string;
}

interface GroupCounts {
  failures: number;
  disables: number;
  schedulingFailures: number;
  /** Distinct explanations, oldest first; repeating one moves it to the end. */
  expls: string[];
}

type Format = "plain" | "html" | "none";

/** Python's str() for a parameter value in a group key. */
export type ValueFormatter = (value: unknown) => string;

/** Luigi does not escape; we do, so a hostile task name or error cannot inject markup. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const plural = (n: number, word: string) => (n === 0 ? "" : `${n} ${word}${n === 1 ? "" : "s"}`);

function countsText(failures: number, disables: number, scheduling: number): string {
  return [plural(failures, "failure"), plural(disables, "disable"), plural(scheduling, "scheduling failure")].filter(Boolean).join(", ");
}

/** Python's default string ordering (code points), not the locale's. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class BatchNotifier {
  /** recipient -> group key -> counts; Maps keep Luigi's insertion order. */
  private groups = new Map<string, Map<string, GroupCounts>>();
  private nextSend: Seconds;
  private readonly defaultRecipients: Set<string>;

  constructor(
    private readonly config: BatchEmailConfig,
    private readonly format: Format,
    receivers: readonly string[],
    private readonly str: ValueFormatter,
    now: Seconds,
  ) {
    this.defaultRecipients = new Set(receivers.filter(Boolean));
    this.nextSend = now + 60 * config.emailInterval;
  }

  key(taskName: string, family: string, unbatchedParams: Record<string, unknown>): string {
    if (this.config.batchMode === "all") return taskName;
    if (this.config.batchMode === "family") return family;
    // Parameters in the order they arrived, not sorted (Luigi's dict order).
    const params = Object.entries(unbatchedParams).map(([k, v]) => `${k}=${this.str(v)}`);
    return `${family}(${params.join(", ")})`;
  }

  private group(recipient: string, key: string): GroupCounts {
    let byKey = this.groups.get(recipient);
    if (!byKey) {
      byKey = new Map();
      this.groups.set(recipient, byKey);
    }
    let counts = byKey.get(key);
    if (!counts) {
      counts = { failures: 0, disables: 0, schedulingFailures: 0, expls: [] };
      byKey.set(key, counts);
    }
    return counts;
  }

  private recipients(owners: readonly string[]): Set<string> {
    return new Set([...this.defaultRecipients, ...owners.filter(Boolean)]);
  }

  private remember(counts: GroupCounts, expl: string): void {
    const at = counts.expls.indexOf(expl);
    if (at >= 0) counts.expls.splice(at, 1);
    counts.expls.push(expl);
    while (counts.expls.length > Math.max(0, this.config.errorMessages)) counts.expls.shift();
  }

  /** One event for every recipient: the default ones plus the task's owners. */
  private record(kind: "failures" | "disables" | "schedulingFailures", key: string, expl: string | null, owners: readonly string[]): void {
    for (const recipient of this.recipients(owners)) {
      const counts = this.group(recipient, key);
      counts[kind]++;
      if (expl !== null) this.remember(counts, expl);
    }
  }

  addFailure(taskName: string, family: string, unbatchedParams: Record<string, unknown>, expl: string, owners: readonly string[]): void {
    this.record("failures", this.key(taskName, family, unbatchedParams), expl, owners);
  }

  addDisable(taskName: string, family: string, unbatchedParams: Record<string, unknown>, owners: readonly string[]): void {
    this.record("disables", this.key(taskName, family, unbatchedParams), null, owners);
  }

  addSchedulingFailure(taskName: string, family: string, unbatchedParams: Record<string, unknown>, expl: string, owners: readonly string[]): void {
    this.record("schedulingFailures", this.key(taskName, family, unbatchedParams), expl, owners);
  }

  /** Whether anything is waiting to be sent. */
  get pending(): boolean {
    return this.groups.size > 0;
  }

  /** Whether the interval has run out (checked on prune passes). */
  due(now: Seconds): boolean {
    return now >= this.nextSend;
  }

  /** Everything recorded as e-mails, then cleared and the interval restarted (whether or not sending works). */
  drain(now: Seconds): BatchedEmail[] {
    const emails: BatchedEmail[] = [];
    for (const [recipient, byKey] of this.groups) {
      const email = this.compose(recipient, byKey);
      if (email) emails.push(email);
    }
    this.groups = new Map();
    this.nextSend = now + 60 * this.config.emailInterval;
    return emails;
  }

  private compose(recipient: string, byKey: Map<string, GroupCounts>): BatchedEmail | null {
    let failures = 0;
    let disables = 0;
    let scheduling = 0;
    for (const counts of byKey.values()) {
      failures += counts.failures;
      disables += counts.disables;
      scheduling += counts.schedulingFailures;
    }
    const summary = countsText(failures, disables, scheduling);
    if (!summary) return null;
    const prefix = this.defaultRecipients.has(recipient) ? "" : "Your tasks have ";
    return {
      recipient,
      subject: `Luigi: ${prefix}${summary} in the last ${this.config.emailInterval} minutes`,
      body: this.body(byKey),
    };
  }

  private formatExpl(expl: string): string {
    let lines = expl.trimEnd().split("\n");
    if (this.config.errorLines > 0) lines = lines.slice(-this.config.errorLines);
    if (this.format === "html") return `<pre>${escapeHtml(lines.join("\n"))}</pre>`;
    return `\n${lines.map((line) => `      ${line}`).join("\n")}`;
  }

  private explBody(expls: readonly string[]): string {
    const lines = expls.map((expl) => this.formatExpl(expl));
    if (lines.length && this.format !== "html") lines.push("");
    return lines.join("\n");
  }

  private body(byKey: Map<string, GroupCounts>): string {
    type Entry = { key: string; counts: GroupCounts };
    // Groups of keys sharing one explanation text, in order of first appearance.
    const groups = new Map<string, Entry[]>();
    let unique = 0;
    for (const [key, counts] of byKey) {
      const text = this.explBody(counts.expls);
      const groupKey = this.config.groupByErrorMessages ? text : String(unique++);
      const list = groups.get(groupKey) ?? [];
      list.push({ key, counts });
      groups.set(groupKey, list);
    }
    const rank = (entries: Entry[]) => ({
      failures: entries.reduce((n, e) => n + e.counts.failures + e.counts.schedulingFailures, 0),
      disables: entries.reduce((n, e) => n + e.counts.disables, 0),
      name: entries.map((e) => e.key).sort(byCodePoint)[0] ?? "",
    });
    const compare = (a: Entry[], b: Entry[]) => {
      const ra = rank(a);
      const rb = rank(b);
      return rb.failures - ra.failures || rb.disables - ra.disables || byCodePoint(ra.name, rb.name);
    };
    const lines: string[] = [];
    const sorted = [...groups.values()].sort(compare);
    for (const entries of sorted) {
      const tasks = [...entries].sort((a, b) => compare([a], [b]));
      const name = (key: string) => (this.format === "html" ? escapeHtml(key) : key);
      const described = tasks.map((e) => `${name(e.key)} (${countsText(e.counts.failures, e.counts.disables, e.counts.schedulingFailures)})`);
      lines.push(this.format === "html" ? `<li>${described.join("\n<br>")}` : `- ${described.join("\n  ")}`);
      lines.push(this.explBody(entries[0]?.counts.expls ?? []));
    }
    const body = lines.filter(Boolean).join("\n").trimEnd();
    return this.format === "html" ? `<ul>\n${body}\n</ul>` : body;
  }
}
