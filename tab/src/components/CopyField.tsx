import { Button, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { Copy20Regular } from "@fluentui/react-icons";
import { useCopy } from "./useCopy.ts";

const useStyles = makeStyles({
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end" },
  field: { flexGrow: 1 },
  value: { fontFamily: tokens.fontFamilyMonospace },
  hidden: { position: "absolute", width: "1px", height: "1px", overflow: "hidden", clip: "rect(0 0 0 0)" },
});

/** A value the admin pastes somewhere else (a URL for Entra): read-only, with a copy button beside it. */
export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const s = useStyles();
  const { copied, copy, input, hint: copyHint } = useCopy(value);
  return (
    <div className={s.row}>
      <Field className={s.field} label={label} hint={copyHint ?? hint}>
        <Input ref={input} readOnly value={value} className={s.value} spellCheck={false} />
      </Field>
      <Button icon={<Copy20Regular />} onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
        {copied ? "Copied" : "Copy"}
      </Button>
      <span role="status" aria-live="polite" className={s.hidden}>
        {copied ? `${label} copied to the clipboard` : ""}
      </span>
    </div>
  );
}
