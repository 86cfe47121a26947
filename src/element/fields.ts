/** What the visitor typed in the `fields`, trimmed, without the blank ones: sent with the token request. */
export function typedFieldValues(typed: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const fields = Object.entries(typed)
    .map(([name, value]) => [name, value.trim()] as const)
    .filter(([, value]) => value !== '');
  return fields.length > 0 ? Object.fromEntries(fields) : undefined;
}
