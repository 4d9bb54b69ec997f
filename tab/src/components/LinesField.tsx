import { Field, Textarea } from "@fluentui/react-components";
import { describeProblems, type LineKind, parseLines } from "../app/lines.ts";

/**
 * A whitelist edited as text, one value per line. Every line is checked as it is typed and the message
 * names the line, so a bad entry in a pasted list of thousands can be found.
 */
export function LinesField({
  label,
  hint,
  kind,
  max,
  value,
  onChange,
  error,
  disabled,
}: {
  label: string;
  hint: string;
  kind: LineKind;
  max: number;
  value: string;
  onChange: (text: string) => void;
  error?: string;
  disabled?: boolean;
}) {
  const parsed = parseLines(value, kind, max);
  const local = parsed.problems.length ? describeProblems(parsed.problems) : undefined;
  const message = local ?? error;
  const count = `${parsed.values.length.toLocaleString()} valid ${parsed.values.length === 1 ? "entry" : "entries"}${
    parsed.duplicates ? `, ${parsed.duplicates} duplicate${parsed.duplicates === 1 ? "" : "s"} ignored` : ""
  }`;
  return (
    <Field
      label={label}
      hint={`${hint} ${count}.`}
      validationState={message ? "error" : "none"}
      validationMessage={message}
    >
      <Textarea
        value={value}
        onChange={(_, d) => onChange(d.value)}
        resize="vertical"
        rows={6}
        spellCheck={false}
        disabled={disabled}
        textarea={{ style: { fontFamily: "monospace" } }}
      />
    </Field>
  );
}
