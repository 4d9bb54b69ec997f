import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
} from "@fluentui/react-components";
import { Copy20Regular } from "@fluentui/react-icons";
import { useCopy } from "./useCopy.ts";

/**
 * A secret the API answers once (an API key, a signing secret): shown read-only with a copy button, and a
 * reminder that it cannot be shown again. Nothing keeps it once the admin closes it.
 */
export function ShownOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  const { copied, copy, input, hint: copyHint } = useCopy(value);
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Copy the {label.toLowerCase()} now</MessageBarTitle>
        It is shown only this once; Directory Sync keeps only a hash of it.
        <Field label={label} hint={copyHint}>
          <Input ref={input} readOnly value={value} style={{ fontFamily: "monospace", width: "100%" }} />
        </Field>
        <div style={{ display: "flex", gap: 8, marginTop: 8 }}>
          <Button icon={<Copy20Regular />} onClick={copy} appearance="primary">
            {copied ? "Copied" : `Copy ${label.toLowerCase()}`}
          </Button>
          <Button onClick={onDone}>Done</Button>
        </div>
        <span role="status" aria-live="polite">
          {copied ? `${label} copied to the clipboard` : ""}
        </span>
      </MessageBarBody>
    </MessageBar>
  );
}
