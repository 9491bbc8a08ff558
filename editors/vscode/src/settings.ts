// Translating the user's `ticklens.*` settings into what the server reads: the
// `initializationOptions` of `initialize`, and the `settings` of
// `workspace/didChangeConfiguration` (the same shape, so the server parses one thing).
//
// No VS Code import: the caller passes a getter over the configuration.

export const SEVERITIES = ["off", "on", "hint", "info", "warning", "error"] as const;
export type RuleSeverity = (typeof SEVERITIES)[number];

/** The options object the server receives. */
export interface ServerOptions {
  inlayHints: boolean;
  codeLens: boolean;
  rules: Record<string, RuleSeverity>;
}

/** Reads one setting below `ticklens.`; returns undefined when unset. */
export type SettingGetter = (key: string) => unknown;

export interface Translation {
  options: ServerOptions;
  /** Settings that were ignored, one readable line each, for the output channel. */
  warnings: string[];
}

const RULE_CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function isSeverity(value: unknown): value is RuleSeverity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

function boolSetting(get: SettingGetter, key: string, fallback: boolean, warnings: string[]): boolean {
  const value = get(key);
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== "boolean") {
    warnings.push(`ticklens.${key} should be true or false, not ${JSON.stringify(value)}; using ${fallback}`);
    return fallback;
  }
  return value;
}

export function translateSettings(get: SettingGetter): Translation {
  const warnings: string[] = [];
  const rules: Record<string, RuleSeverity> = {};
  const rawRules = get("rules");
  if (rawRules !== undefined && rawRules !== null) {
    if (typeof rawRules !== "object" || Array.isArray(rawRules)) {
      warnings.push(`ticklens.rules should be an object of rule code to severity; ignored`);
    } else {
      for (const [code, severity] of Object.entries(rawRules as Record<string, unknown>)) {
        if (!RULE_CODE.test(code)) {
          warnings.push(`ticklens.rules: "${code}" is not a rule code (like "async-promise-executor"); ignored`);
        } else if (!isSeverity(severity)) {
          warnings.push(
            `ticklens.rules["${code}"]: ${JSON.stringify(severity)} is not one of ${SEVERITIES.join(", ")}; ignored`,
          );
        } else {
          rules[code] = severity;
        }
      }
    }
  }
  return {
    options: {
      inlayHints: boolSetting(get, "inlayHints.enable", true, warnings),
      codeLens: boolSetting(get, "codeLens.enable", true, warnings),
      rules,
    },
    warnings,
  };
}

/** Setting keys below `ticklens.` whose change needs a new server process, not a notification. */
export const RESTART_KEYS = ["server.path"] as const;
