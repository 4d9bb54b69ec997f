import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  makeStyles,
  Option,
  tokens,
} from "@fluentui/react-components";
import { Add20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { AttributeDefinition } from "../api/types.ts";
import { useSession } from "../app/session.tsx";
import { ProblemBar } from "../components/ProblemBar.tsx";

const useStyles = makeStyles({
  fieldset: {
    border: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: 0, marginBottom: tokens.spacingVerticalXS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

const TYPES: { value: AttributeDefinition["valueType"]; label: string }[] = [
  { value: "string", label: "Text" },
  { value: "number", label: "Number" },
  { value: "boolean", label: "Yes or no" },
  { value: "string[]", label: "List of texts" },
];

/** Same rule as the API: a letter, then letters, digits or _ (at most 64). */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * The custom profile attributes a mapping can fill. They are defined here (at once, not with Save: a
 * definition belongs to the tenant's directory, not to this connection) and can then be chosen as a target.
 */
export function CustomAttributes({
  attributes,
  readOnly,
  onDefined,
}: {
  attributes: AttributeDefinition[];
  readOnly: boolean;
  onDefined: (a: AttributeDefinition) => void;
}) {
  const s = useStyles();
  const { client, notify } = useSession();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [label, setLabel] = useState("");
  const [valueType, setValueType] = useState<AttributeDefinition["valueType"]>("string");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const start = () => {
    setName("");
    setLabel("");
    setValueType("string");
    setErrors({});
    setProblem(undefined);
    setOpen(true);
  };

  const define = async () => {
    const found: Record<string, string> = {};
    if (!NAME.test(name.trim()))
      found.name = "Start with a letter and use letters, digits or _ (at most 64 characters).";
    if (!label.trim()) found.label = "Enter the label people see.";
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const created = await client.defineAttribute({ name: name.trim(), label: label.trim(), valueType });
      onDefined(created);
      notify(`Defined ${created.label}; it can now be chosen in the mapping`);
      setOpen(false);
    } catch (err) {
      const e = toApiError(err);
      setErrors(e.fields);
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className={s.fieldset}>
      <legend className={s.legend}>Custom attributes</legend>
      <Caption1>
        Profile attributes of your own (a cost center, a badge number) that a mapping above can fill from any
        Entra ID property.
      </Caption1>
      {attributes.length ? (
        <ul className={s.list} aria-label="Defined custom attributes">
          {attributes.map((a) => (
            <li key={a.name}>
              <Body1>
                {a.label} ({a.name}, {TYPES.find((t) => t.value === a.valueType)?.label.toLowerCase()})
              </Body1>
            </li>
          ))}
        </ul>
      ) : (
        <Body1>None defined yet.</Body1>
      )}
      {!readOnly && (
        <div>
          <Button icon={<Add20Regular />} onClick={start}>
            Define custom attribute
          </Button>
        </div>
      )}
      <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Define a custom attribute</DialogTitle>
            <DialogContent className={s.form}>
              <Field
                label="Name"
                required
                hint="Used by the application reading the directory, for example costCenter."
                validationMessage={errors.name}
              >
                <Input value={name} onChange={(_, d) => setName(d.value)} />
              </Field>
              <Field
                label="Label"
                required
                hint="What people see, for example Cost center."
                validationMessage={errors.label}
              >
                <Input value={label} onChange={(_, d) => setLabel(d.value)} />
              </Field>
              <Field label="Value type">
                <Dropdown
                  value={TYPES.find((t) => t.value === valueType)?.label ?? ""}
                  selectedOptions={[valueType]}
                  onOptionSelect={(_, d) => d.optionValue && setValueType(d.optionValue as typeof valueType)}
                >
                  {TYPES.map((t) => (
                    <Option key={t.value} value={t.value}>
                      {t.label}
                    </Option>
                  ))}
                </Dropdown>
              </Field>
              {problem && !Object.keys(errors).length && <ProblemBar error={problem} />}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Button appearance="primary" onClick={define} disabled={busy}>
                {busy ? "Defining…" : "Define"}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </fieldset>
  );
}
