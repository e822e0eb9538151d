/** What a person typed as a login: an e-mail when it has an @, a phone otherwise (the server normalises both). */
export function contactBody(text: string): { email: string } | { phone: string } {
  const value = text.trim();
  return value.includes('@') ? { email: value } : { phone: value };
}
