import { makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { Checkmark12Regular } from "@fluentui/react-icons";

const useStyles = makeStyles({
  list: {
    listStyle: "none",
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalL,
    margin: `0 0 ${tokens.spacingVerticalL}`,
    padding: 0,
  },
  step: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    color: tokens.colorNeutralForeground2,
  },
  dot: {
    width: "24px",
    height: "24px",
    borderRadius: "50%",
    display: "inline-flex",
    alignItems: "center",
    justifyContent: "center",
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    fontSize: tokens.fontSizeBase200,
  },
  current: { color: tokens.colorNeutralForeground1, fontWeight: tokens.fontWeightSemibold },
  currentDot: {
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    border: `1px solid ${tokens.colorBrandBackground}`,
  },
  doneDot: { backgroundColor: tokens.colorNeutralBackground3 },
  hidden: {
    position: "absolute",
    width: "1px",
    height: "1px",
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    whiteSpace: "nowrap",
  },
});

/** Where a wizard is: numbered steps, the current one marked for screen readers too. */
export function Steps({ steps, current }: { steps: string[]; current: number }) {
  const s = useStyles();
  return (
    <ol className={s.list} aria-label="Steps">
      {steps.map((label, i) => (
        <li
          key={label}
          className={mergeClasses(s.step, i === current && s.current)}
          aria-current={i === current ? "step" : undefined}
        >
          <span
            className={mergeClasses(s.dot, i === current && s.currentDot, i < current && s.doneDot)}
            aria-hidden
          >
            {i < current ? <Checkmark12Regular /> : i + 1}
          </span>
          {label}
          {i < current && <span className={s.hidden}> (done)</span>}
        </li>
      ))}
    </ol>
  );
}
