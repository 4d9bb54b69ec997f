import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";

/** The part of the URL the app is at: everything before the hash is the app itself. */
const appUrl = (u: URL | Location) => `${u.origin}${u.pathname}${u.search}`;

/**
 * Keeps a person from losing unsaved work by leaving the screen. While `active`: a click on a link to
 * another screen, Back or Forward, or a typed hash opens a "Leave without saving?" prompt instead (the
 * hash router cannot cancel a hash change, so the screen's own address is put back and the way out kept);
 * closing or reloading the page gets the browser's own prompt.
 */
export function useLeaveGuard(active: boolean) {
  const [target, setTarget] = useState<string>();
  const activeRef = useRef(active);
  activeRef.current = active;

  useEffect(() => {
    const here = window.location.hash;
    const onClick = (e: MouseEvent) => {
      if (!activeRef.current || e.defaultPrevented || e.button !== 0) return;
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // a new tab or window: nothing is lost
      const link = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
      if (!link || link.target === "_blank" || link.hasAttribute("download")) return;
      const url = new URL(link.href, window.location.href);
      if (appUrl(url) !== appUrl(window.location) || url.hash === window.location.hash) return;
      e.preventDefault();
      setTarget(url.hash);
    };
    const onHashChange = () => {
      if (!activeRef.current || window.location.hash === here) return;
      const wanted = window.location.hash;
      window.history.pushState(window.history.state, "", `${appUrl(window.location)}${here}`);
      setTarget(wanted);
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!activeRef.current) return;
      e.preventDefault();
      e.returnValue = "";
    };
    document.addEventListener("click", onClick, true);
    // Back and Forward change the address before hashchange is sent (popstate comes first, in the same
    // step), and any render in between would show the other screen: put the address back at popstate.
    // Capture: before the router's own listener.
    window.addEventListener("popstate", onHashChange, true);
    window.addEventListener("hashchange", onHashChange, true);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      document.removeEventListener("click", onClick, true);
      window.removeEventListener("popstate", onHashChange, true);
      window.removeEventListener("hashchange", onHashChange, true);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, []);

  return {
    /** Where the person wanted to go, while the prompt is open. */
    target,
    stay: () => setTarget(undefined),
    /** Goes where the person wanted to go, unsaved work left behind. */
    leave: () => {
      const to = target;
      activeRef.current = false;
      setTarget(undefined);
      if (to !== undefined) window.location.hash = to;
    },
    /** Leaves without asking (after a delete, for example). */
    release: () => {
      activeRef.current = false;
    },
  };
}

/** The prompt of useLeaveGuard: stay, save and leave, or leave without saving. */
export function LeavePrompt({
  guard,
  what,
  onSaveAndLeave,
}: {
  guard: ReturnType<typeof useLeaveGuard>;
  what: string;
  onSaveAndLeave?: () => Promise<boolean>;
}) {
  const [saving, setSaving] = useState(false);
  const saveAndLeave = async () => {
    if (!onSaveAndLeave) return;
    setSaving(true);
    try {
      if (await onSaveAndLeave()) guard.leave();
      else guard.stay();
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog open={guard.target !== undefined} onOpenChange={(_, d) => !d.open && guard.stay()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>Leave without saving?</DialogTitle>
          <DialogContent>
            You changed {what} and have not saved the changes. Leaving discards them.
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={guard.stay}>
              Stay on this page
            </Button>
            {onSaveAndLeave && (
              <Button onClick={saveAndLeave} disabled={saving}>
                {saving ? "Saving…" : "Save and leave"}
              </Button>
            )}
            <Button onClick={guard.leave}>Leave without saving</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
