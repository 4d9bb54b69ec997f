import {
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
} from "@fluentui/react-components";
import type { ScimAttributeMapping } from "../api/types.ts";

const useStyles = makeStyles({
  mono: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
  cell: {
    verticalAlign: "top",
    paddingTop: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalXS,
  },
});

/** Entra's user attribute mappings the product reads, in the words of Entra's "Edit Attribute Mapping" page. */
export function ScimMappings({ mappings }: { mappings: ScimAttributeMapping[] }) {
  const s = useStyles();
  return (
    <Table aria-label="Attribute mappings to keep" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell style={{ width: "32%" }}>Source attribute (Entra)</TableHeaderCell>
          <TableHeaderCell style={{ width: "36%" }}>Target attribute (SCIM)</TableHeaderCell>
          <TableHeaderCell style={{ width: "18%" }}>Profile field</TableHeaderCell>
          <TableHeaderCell>Needed</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {mappings.map((m) => (
          <TableRow key={m.scimAttribute}>
            <TableCell className={s.cell}>
              <span className={s.mono}>{m.entraAttribute}</span>
            </TableCell>
            <TableCell className={s.cell}>
              <span className={s.mono}>{m.scimAttribute}</span>
            </TableCell>
            <TableCell className={s.cell}>{m.profileField}</TableCell>
            <TableCell className={s.cell}>{m.required ? "Required" : "Optional"}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
