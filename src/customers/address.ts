/**
 * A customer's whole address as one line, as a contract or a letter names it: its region (province,
 * city, district) then the street address, "北京市海淀区科技园路237号". A municipality, its own
 * province and city, is named once; an address typed whole from some level on ("海淀区科技园路237号",
 * as ledgers hold them) takes only the region above that level.
 */
export function wholeAddress(parts: {
  province: string | null;
  city: string | null;
  district: string | null;
  address: string | null;
}): string {
  const region = [parts.province, parts.city, parts.district].filter(
    (part, i, all): part is string => !!part && part !== all[i - 1],
  );
  const street = parts.address?.trim() ?? '';
  const from = region.findIndex((part) => street.startsWith(part));
  return [...(from === -1 ? region : region.slice(0, from)), street].join('');
}
