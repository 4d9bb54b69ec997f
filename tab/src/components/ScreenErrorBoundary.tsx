import { Component, type ReactNode } from "react";
import { ProblemBar } from "./ProblemBar.tsx";

/**
 * Keeps a screen that fails while drawing from blanking the whole tab: the header and navigation stay, and
 * the screen says what happened and what to do. Keyed by route, so moving to another screen starts afresh.
 */
export class ScreenErrorBoundary extends Component<{ children: ReactNode }, { failed?: Error }> {
  override state: { failed?: Error } = {};

  static getDerivedStateFromError(failed: Error) {
    return { failed };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <ProblemBar
        title="This screen could not be shown"
        error={{
          message: `Something in the data it shows was not what it expected (${this.state.failed.message}).`,
          remedy:
            "Try again; if it keeps failing, open another screen from the navigation and tell support which screen failed.",
        }}
        onRetry={() => this.setState({ failed: undefined })}
      />
    );
  }
}
