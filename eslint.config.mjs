// ESLint (flat config) with typescript-eslint's recommended rules for the Node host, scripts and
// tests; assembly/ is AssemblyScript (decorators, i32 and friends), which typescript-eslint cannot
// type-check, so it is left to asc. Formatting is prettier's (make lint runs `prettier --check`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "assembly/**", "tests/assembly/**", "build/**", ".registry/**", ".venv/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // `_`-prefixed parameters are deliberate (callbacks with a fixed signature)
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.{js,cjs,mjs}"],
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
        Buffer: "readonly",
        URL: "readonly",
      },
    },
  },
);
