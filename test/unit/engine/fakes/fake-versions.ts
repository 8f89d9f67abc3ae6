/** The versions every fake campaign upgrades between and every fake server starts on. */
export const FROM = '10.11.18';
export const TO = '10.11.19';
