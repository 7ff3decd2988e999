// Property-based fuzzing of policy.wasm: cases (cases.ts), their generators (generators.ts), the
// runner and classifier (runner.ts), and campaigns over them (campaigns.ts).

export * from "./campaigns";
export * from "./cases";
export { anyJson, brokenSettingsCases, hostCases, nastyString, recordedHost, requestCases, settingsCases, TARGETS } from "./generators";
export * from "./runner";
