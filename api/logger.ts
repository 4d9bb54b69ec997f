import { type Logger, pino } from "pino";

export type { Logger };

/** JSON logs; secrets and tokens are redacted by path wherever they might appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "*.clientSecret",
        "*.secret",
        "*.refreshToken",
        "*.accessToken",
        "*.password",
      ],
      censor: "[redacted]",
    },
  });
}
