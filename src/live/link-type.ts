// cap names the link type; the native addon returns libpcap's DLT number and name. Captures and the decoder speak
// LINKTYPE_* numbers (tcpdump.org/linktypes.html).

const BY_NAME: Readonly<Record<string, number>> = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  LINUX_SLL: 113,
  IEEE802_11_RADIO: 127,
};

/**
 * LINKTYPE_* number for cap's name of the device's link type, or null when unknown. For types cap
 * does not name it returns "Unknown linktype <DLT>"; DLT and LINKTYPE values agree for 0–10 and
 * from 104 up (LINUX_SLL2 = 276 included), and differ in between, where we give up.
 */
export function linkTypeFromCap(name: string): number | null {
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m) return null;
  const dlt = Number(m[1]);
  return dlt <= 10 || dlt >= 104 ? dlt : null;
}

/**
 * LINKTYPE_* number for libpcap's DLT_* value and name (pcap_datalink, pcap_datalink_val_to_name),
 * or null when unknown. DLT_RAW is 12 or 14 depending on the system; its name is always RAW.
 */
export function linkTypeFromDlt(dlt: number, name: string | null): number | null {
  if (name === 'RAW') return 101;
  return dlt >= 0 && (dlt <= 10 || dlt >= 104) ? dlt : null;
}
