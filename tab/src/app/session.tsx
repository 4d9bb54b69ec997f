import { createContext, type ReactNode, useContext } from "react";
import type { ApiClient } from "../api/client.ts";
import type { Me } from "../api/types.ts";
import type { ConsentOutcome } from "./consentWindow.ts";

export interface Session {
  client: ApiClient;
  me: Me;
  inTeams: boolean;
  /** Opens an admin-consent or reauthorization URL the way the host allows; resolves when it is done. */
  openConsent(url: string): Promise<ConsentOutcome>;
  /** A short confirmation at the bottom of the screen. */
  notify(message: string, intent?: "success" | "info" | "warning" | "error"): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** For shared components that also render before sign-in completes. */
export const useOptionalSession = (): Session | null => useContext(SessionContext);
