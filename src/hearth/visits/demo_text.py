"""Synthetic words for the demo council's visits: what children said by age, what workers saw,
why a child was not seen. Invented, generic and about no real child."""

from __future__ import annotations

# Babies and toddlers (under 3): what their behaviour told the worker, not words.
BABY_VIEWS = [
    "Too young to give views in words. Smiled and babbled when mum spoke to them and reached "
    "for her when I came close.",
    "Not yet talking. Was curious about my lanyard, crawled over to explore it and looked back "
    "to check dad was still there.",
    "Too young to say. Cried when put down but settled quickly when mum picked them up and sang.",
    "Not yet talking. Pointed at the cat and said 'ca', laughed when mum clapped.",
    "Too young to give views. Was quiet and watchful at first, then played with the stacking cups "
    "and brought them to me.",
]
YOUNG_VIEWS = [  # 3 to 6
    "I like my bedroom because it has stars on the ceiling that glow.",
    "Mummy shouts sometimes and I hide under my covers.",
    "I want to go to the park more. And have chicken nuggets.",
    "My teacher gave me a sticker for reading. I'm a good reader.",
    "I don't like it when the door bangs at night. It wakes me up.",
    "Daddy is coming on Saturday. We are going swimming.",
    "I'm happy. Can I show you my drawing? That's my house and that's me and Nanna.",
    "My tummy hurts sometimes when I'm hungry at school.",
]
MIDDLE_VIEWS = [  # 7 to 11
    "I'm happier now Dad doesn't come round when he's been drinking. I wish I could see Nan more.",
    "I don't like it when Mum and her boyfriend argue. I go upstairs and put my headphones on.",
    "School is okay. I've got a new friend in my class and we play football at dinner time.",
    "I worry about Mum when I'm at school. I want to stay home to look after her.",
    "It's better at home now. Mum gets up in the morning and does my packed lunch.",
    "I don't want to talk about it today. Can we do the feelings cards instead?",
    "I get told off a lot at school but it's not always me. Nobody listens.",
    "I'd like my own room. My brother keeps me awake playing his game.",
]
TEEN_VIEWS = [  # 12 and over
    "I don't see why you have to keep coming. Things are fine.",
    "I'm trying to do my revision but it's hard when the house is so loud.",
    "Mum's been better since she started going to the group. I still worry about her.",
    "I'd rather meet at school or in town, not here. My mates see your car.",
    "I stayed at my friend's a few nights because I needed a break. I told Mum where I was.",
    "I want to go to college to do mechanics. Can you help me with the forms?",
    "Nobody asks me what I think at the meetings. I want to say it myself next time.",
    "I'm not going back to my dad's. He knows why.",
    "I'm sleeping better. I've stopped going out so late.",
]
OBSERVATIONS = [
    "The home was warm and tidy, with food in the fridge and cupboards. The child was clean and "
    "dressed appropriately and moved freely around the home.",
    "The living room was cluttered and there was a smell of smoke. Mum said she is trying to "
    "smoke outside. We talked about a safe place for the children to play.",
    "The child was relaxed with their parent and sought comfort from them when unsure. Parent "
    "responded warmly and set clear, calm boundaries.",
    "Mum appeared tired and low in mood. She said she has not been sleeping. I reminded her of "
    "the appointment with the GP and the support group on Thursday.",
    "The kitchen was clean and there was a meal cooking. School uniform was washed and ready. "
    "Parent showed me the reward chart the family support worker set up.",
    "There were empty cans in the recycling and dad was defensive when asked about them. The "
    "child was quiet in his presence and became chattier once he left the room.",
    "The child's school attendance is up to 92% this half term. Teacher reports they are "
    "settled and eating breakfast at breakfast club.",
    "Home conditions have deteriorated since the last visit: dishes piled up and no clean "
    "bedding. Agreed with mum to ask the family support worker to visit this week.",
]
BABY_OBSERVATIONS = [
    "Baby was clean, alert and responsive, with a clean nappy and appropriate clothing. Feeds "
    "are recorded on a chart on the fridge. Safe sleeping arrangements seen: cot, no bumpers.",
    "Toddler was exploring the room and returning to mum for reassurance. Mum responded "
    "quickly and kept hot drinks out of reach. Stair gate in place.",
    "Baby had a mild nappy rash; mum had cream and had spoken to the health visitor. Bottles "
    "were sterilised and formula made up correctly.",
    "Toddler was tired and grizzly but settled with a cuddle. Mum managed this calmly. Home was "
    "safe and uncluttered, with toys within reach.",
]
NOT_SEEN_REASONS = [
    "No answer at the door. Left a card and texted mum to rearrange for this week.",
    "Mum cancelled on the day, saying the child was unwell. Visit rearranged for three days' time.",
    "The child was out with friends when I arrived. Spoke to mum; will visit after school.",
    "The child was asleep and mum would not wake them. Explained I need to see them; booked a "
    "visit for the morning.",
    "The family were not at home for the planned visit. Rang mum, who said they were at nan's; "
    "agreed to visit there tomorrow.",
]
OTHERS_PRESENT = {
    "home": ["Mother", "Mother and her partner", "Father", "Grandmother", "Mother and a sibling"],
    "school": ["Class teacher (at the start)", "Designated safeguarding lead"],
    "other": ["Mother", "Family support worker"],
}
ALONE_NOTE = " (not in the room while I spoke with the child)"
