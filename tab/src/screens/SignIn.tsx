import { Body1, Button, Card, makeStyles, Title2, tokens } from "@fluentui/react-components";
import { ArrowSyncCircleRegular } from "@fluentui/react-icons";

const useStyles = makeStyles({
  root: {
    minHeight: "100vh",
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    backgroundColor: tokens.colorNeutralBackground2,
    padding: tokens.spacingHorizontalL,
  },
  card: { maxWidth: "440px", padding: tokens.spacingHorizontalXXL, gap: tokens.spacingVerticalL },
  icon: { fontSize: "40px", color: tokens.colorBrandForeground1 },
});

/** Standalone in a browser without a session: the API's sign-in, coming back to the same page. */
export function SignIn() {
  const s = useStyles();
  const returnTo = `${window.location.pathname}${window.location.search}${window.location.hash}`;
  const loginUrl = `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
  return (
    <main className={s.root}>
      <Card className={s.card}>
        <span className={s.icon} aria-hidden>
          <ArrowSyncCircleRegular />
        </span>
        <Title2 as="h1">Sign in to Entra Directory Sync</Title2>
        <Body1>
          Sign in with your Microsoft work account to connect your Entra ID tenant, run syncs and see what
          they changed.
        </Body1>
        <Button as="a" href={loginUrl} appearance="primary" size="large">
          Sign in with Microsoft
        </Button>
      </Card>
    </main>
  );
}
