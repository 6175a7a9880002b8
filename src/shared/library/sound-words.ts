/**
 * Words a sound designer would put in a prompt, for "Describe": CLAP ranks them by how well each
 * matches a clip (zero-shot tagging, CLAP's own use), and the best few become prompt suggestions.
 * Sources, materials, actions, places and qualities, loosely after the UCS categories.
 */
export const SOUND_WORDS: readonly string[] = [
  // nature and weather
  'rain', 'thunder', 'wind', 'storm', 'ocean waves', 'stream', 'waterfall', 'dripping water', 'fire', 'crackling fire',
  'birds chirping', 'crickets', 'insects buzzing', 'frogs', 'leaves rustling', 'snow crunching',
  // animals
  'dog barking', 'cat meowing', 'horse', 'cow', 'rooster', 'owl', 'wolf howling', 'crow', 'seagulls', 'bees',
  // people
  'footsteps', 'running', 'breathing', 'heartbeat', 'crowd', 'applause', 'laughter', 'whispering', 'speech', 'singing',
  'children playing', 'coughing', 'clapping', 'typing on a keyboard',
  // household and objects
  'door slam', 'door creak', 'knocking', 'keys jingling', 'glass shattering', 'glass clinking', 'paper rustling',
  'cloth movement', 'zipper', 'drawer', 'clock ticking', 'bell', 'phone ringing', 'kettle', 'cutlery', 'water pouring',
  // materials and impacts
  'metal impact', 'metallic clang', 'wood impact', 'stone', 'plastic', 'ceramic', 'rubber', 'gravel', 'debris falling',
  'explosion', 'gunshot', 'punch', 'sword', 'crash', 'thud', 'smash',
  // machines and vehicles
  'car engine', 'car passing by', 'motorcycle', 'truck', 'train', 'airplane', 'helicopter', 'boat engine', 'siren',
  'horn', 'machinery', 'factory', 'drill', 'saw', 'fan', 'air conditioner', 'electric hum', 'electrical buzz',
  'motor', 'gears', 'servo', 'hydraulics', 'steam hiss',
  // design and electronic
  'whoosh', 'swoosh', 'riser', 'impact boom', 'sub bass drop', 'drone', 'rumble', 'hum', 'static noise', 'glitch',
  'beep', 'alarm', 'sci-fi laser', 'spaceship', 'robot', 'user interface click', 'notification chime', 'magic sparkle',
  'power up', 'power down', 'swell', 'reverse cymbal',
  // music
  'drums', 'kick drum', 'snare drum', 'cymbal', 'piano', 'guitar', 'bass guitar', 'strings', 'synthesizer', 'pad',
  'choir', 'flute', 'brass', 'percussion', 'music box',
  // places
  'city traffic', 'street ambience', 'forest ambience', 'room tone', 'office', 'restaurant', 'market', 'subway station',
  'cave', 'underwater', 'church', 'stadium',
  // qualities
  'distant', 'close up', 'reverberant', 'muffled', 'bright', 'dark', 'low frequency', 'high pitched', 'loud', 'quiet',
  'rhythmic', 'continuous', 'short', 'metallic', 'wooden', 'glassy', 'noisy', 'tonal', 'granular', 'distorted',
];

/** The sentence CLAP embeds for a word (a plain template, as in CLAP's zero-shot classification). */
export function soundWordText(word: string): string {
  return `This is a sound of ${word}.`;
}
