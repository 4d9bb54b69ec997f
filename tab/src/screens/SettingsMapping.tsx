import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Dropdown,
  MessageBar,
  MessageBarBody,
  makeStyles,
  Option,
  OptionGroup,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import { Add20Regular, ArrowReset20Regular, Delete20Regular } from "@fluentui/react-icons";
import type { AttributeDefinition, Mapping } from "../api/types.ts";
import {
  DEFAULT_MAPPING,
  errorFor,
  MAPPABLE_FIELDS,
  REQUIRABLE_FIELDS,
  type RequiredField,
  targetState,
} from "../app/settingsForm.ts";
import { EntraFieldInput } from "../components/EntraFieldInput.tsx";
import { ScrollRegion } from "../components/ScrollRegion.tsx";
import { Section } from "../components/Section.tsx";
import { CustomAttributes } from "./SettingsAttributes.tsx";
import { type SectionProps, setSettings } from "./settingsTypes.ts";

const useStyles = makeStyles({
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  control: { minWidth: 0, width: "100%" },
  table: { minWidth: "640px" },
  cell: {
    verticalAlign: "top",
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
  error: { color: tokens.colorPaletteRedForeground1, display: "block" },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(190px, 1fr))",
    gap: tokens.spacingVerticalXS,
  },
  fieldset: {
    border: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  legend: { fontWeight: tokens.fontWeightSemibold, padding: 0, marginBottom: tokens.spacingVerticalXS },
});

const targetLabel = (target: string, attributes: AttributeDefinition[]) => {
  const [kind, name = ""] = target.split(":");
  if (kind === "field") return name;
  return attributes.find((a) => a.name === name)?.label ?? name;
};

/** Entra field → profile field or custom attribute, email fallbacks, and the fields a profile must have. */
export function MappingSection({
  form,
  update,
  errors,
  readOnly,
  attributes,
  onAttributeDefined,
}: SectionProps & {
  attributes: AttributeDefinition[];
  onAttributeDefined: (a: AttributeDefinition) => void;
}) {
  const s = useStyles();
  const mapping = form.settings.mapping;
  const setMapping = (next: Mapping[]) => update(setSettings((x) => ({ ...x, mapping: next })));
  const setRow = (i: number, patch: Partial<Mapping>) =>
    setMapping(mapping.map((m, j) => (j === i ? { ...m, ...patch } : m)));
  const undefinedTargets = mapping
    .filter((m) => targetState(m.target, attributes) === "undefined")
    .map((m) => m.target.slice(10));
  const email = form.settings.email;
  const setEmail = (patch: Partial<typeof email>) =>
    update(setSettings((x) => ({ ...x, email: { ...x.email, ...patch } })));
  const required = form.settings.required;
  const toggleRequired = (field: RequiredField, on: boolean) =>
    update(
      setSettings((x) => ({
        ...x,
        required: on ? [...x.required, field] : x.required.filter((r) => r !== field),
      })),
    );

  return (
    <Section
      id="mapping"
      title="Attribute mapping"
      description="Which Entra ID user property fills which profile field or custom attribute."
    >
      {undefinedTargets.length > 0 && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            Not defined yet: {undefinedTargets.join(", ")}. Values mapped to an undefined custom attribute are
            ignored and reported in each sync's details until the attribute is defined.
          </MessageBarBody>
        </MessageBar>
      )}
      {errorFor(errors, "mapping") && !Object.keys(errors).some((k) => /^mapping\.\d/.test(k)) && (
        <Caption1 className={s.error}>{errors.mapping}</Caption1>
      )}
      <ScrollRegion label="Attribute mapping table">
        <Table size="small" aria-label="Attribute mapping" className={s.table}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell style={{ width: "38%" }}>Entra ID property</TableHeaderCell>
              <TableHeaderCell style={{ width: "34%" }}>Profile field or custom attribute</TableHeaderCell>
              <TableHeaderCell style={{ width: "18%" }}>Kind</TableHeaderCell>
              <TableHeaderCell style={{ width: "10%" }}>Remove</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {mapping.map((m, i) => {
              const n = i + 1;
              const state = targetState(m.target, attributes);
              const sourceError = errors[`mapping.${i}.source`];
              const targetError = errors[`mapping.${i}.target`];
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: mapping rows are identified by position, as in the API's error paths.
                <TableRow key={i}>
                  <TableCell className={s.cell}>
                    <EntraFieldInput
                      label={`Row ${n}: Entra ID property`}
                      value={m.source}
                      invalid={!!sourceError}
                      disabled={readOnly}
                      onChange={(source) => setRow(i, { source })}
                    />
                    {sourceError && <Caption1 className={s.error}>{sourceError}</Caption1>}
                  </TableCell>
                  <TableCell className={s.cell}>
                    <Dropdown
                      className={s.control}
                      aria-label={`Row ${n}: profile field or custom attribute`}
                      placeholder="Choose a field"
                      value={targetLabel(m.target, attributes)}
                      selectedOptions={[m.target]}
                      disabled={readOnly}
                      aria-invalid={!!targetError || undefined}
                      onOptionSelect={(_, d) => d.optionValue && setRow(i, { target: d.optionValue })}
                    >
                      <OptionGroup label="Profile fields">
                        {MAPPABLE_FIELDS.map((f) => (
                          <Option key={f} value={`field:${f}`}>
                            {f}
                          </Option>
                        ))}
                      </OptionGroup>
                      {m.target === "field:email" && <Option value={m.target}>email (not mappable)</Option>}
                      {(attributes.length > 0 || state === "undefined") && (
                        <OptionGroup label="Custom attributes">
                          {attributes.map((a) => (
                            <Option key={a.name} value={`attribute:${a.name}`} text={a.label}>
                              {`${a.label} (${a.name})`}
                            </Option>
                          ))}
                          {state === "undefined" && (
                            <Option value={m.target} text={m.target.slice(10)}>
                              {`${m.target.slice(10)} (not defined)`}
                            </Option>
                          )}
                        </OptionGroup>
                      )}
                    </Dropdown>
                    {targetError && <Caption1 className={s.error}>{targetError}</Caption1>}
                  </TableCell>
                  <TableCell className={s.cell}>
                    {state === "field" && <Badge appearance="outline">Profile field</Badge>}
                    {state === "defined" && (
                      <Badge appearance="outline" color="brand">
                        Custom attribute
                      </Badge>
                    )}
                    {state === "undefined" && (
                      <Badge appearance="tint" color="warning">
                        Not defined
                      </Badge>
                    )}
                    {state === "invalid" && (
                      <Badge appearance="tint" color="danger">
                        Unknown
                      </Badge>
                    )}
                  </TableCell>
                  <TableCell className={s.cell}>
                    <Button
                      icon={<Delete20Regular />}
                      appearance="subtle"
                      aria-label={`Remove row ${n} (${m.source})`}
                      disabled={readOnly}
                      onClick={() => setMapping(mapping.filter((_, j) => j !== i))}
                    />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </ScrollRegion>
      <div className={s.actions}>
        <Button
          icon={<Add20Regular />}
          disabled={readOnly || mapping.length >= 200}
          onClick={() => {
            // An empty row to fill in: any guessed pair (department -> email, once) saves a mapping nobody chose.
            setMapping([...mapping, { source: "", target: "" }]);
            const label = `Row ${mapping.length + 1}: Entra ID property`;
            requestAnimationFrame(() =>
              document.querySelector<HTMLElement>(`[aria-label="${label}"]`)?.focus(),
            );
          }}
        >
          Add mapping
        </Button>
        <Button
          icon={<ArrowReset20Regular />}
          appearance="subtle"
          disabled={readOnly}
          onClick={() => setMapping(DEFAULT_MAPPING.map((m) => ({ ...m })))}
        >
          Restore default mapping
        </Button>
      </div>
      <CustomAttributes attributes={attributes} readOnly={readOnly} onDefined={onAttributeDefined} />
      <fieldset className={s.fieldset}>
        <legend className={s.legend}>Email address</legend>
        <Caption1>
          The profile's email is the user's mail (it is not set by a mapping); when that is empty, try in
          order:
        </Caption1>
        <Checkbox
          label="The primary SMTP address in proxyAddresses"
          checked={email.proxyAddresses}
          disabled={readOnly}
          onChange={(_, d) => setEmail({ proxyAddresses: !!d.checked })}
        />
        <Checkbox
          label="The first of otherMails"
          checked={email.otherMails}
          disabled={readOnly}
          onChange={(_, d) => setEmail({ otherMails: !!d.checked })}
        />
        <Checkbox
          label="The user principal name"
          checked={email.userPrincipalName}
          disabled={readOnly}
          onChange={(_, d) => setEmail({ userPrincipalName: !!d.checked })}
        />
      </fieldset>
      <fieldset className={s.fieldset}>
        <legend className={s.legend}>Required fields</legend>
        <Caption1>
          A user missing any of these is skipped, and the reason is recorded in the sync's details.
        </Caption1>
        {errorFor(errors, "required") && (
          <Caption1 className={s.error}>{errorFor(errors, "required")}</Caption1>
        )}
        <div className={s.grid}>
          {REQUIRABLE_FIELDS.map((f) => (
            <Checkbox
              key={f}
              label={f === "sourceId" ? "Entra object id" : f}
              checked={required.includes(f)}
              disabled={readOnly || f === "sourceId"}
              onChange={(_, d) => toggleRequired(f, !!d.checked)}
            />
          ))}
        </div>
      </fieldset>
    </Section>
  );
}
