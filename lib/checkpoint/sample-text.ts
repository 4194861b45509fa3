/**
 * A short original English text used to train the BPE tokenizer of `make-random` checkpoints, so that their
 * vocabulary is real sub-words of English rather than arbitrary byte pairs. It is written for this project
 * (no licence attached to it).
 */
export const SAMPLE_ENGLISH = `The lighthouse keeper woke before dawn, as she had every morning for eleven years. She climbed the spiral stairs, counted the one hundred and twelve steps out of habit, and checked the lamp. The glass was clean, the oil was full, and the brass gears turned without a sound. Outside, the sea was grey and calm, and a thin fog was drifting in from the south.

She wrote in her logbook: "Wind light, from the south-west. Visibility poor. Two fishing boats left the harbour at five o'clock." Then she made a pot of tea, sat by the small window, and watched the boats disappear into the mist.

Later that morning a letter arrived with the supply boat. It was from her brother, who lived in the city and worked as an engineer. He wrote that the company was building a new kind of light, one that would run by itself and never need a keeper. "It will be years before they reach your island," he wrote, "but you should think about what you want to do next. You have always liked teaching. You could teach children about the sea, about the stars, about the weather. Nobody knows those things better than you."

She read the letter twice, folded it carefully, and put it in the drawer with the others. She did not feel sad, exactly. She felt the way one feels at the end of a long book: grateful for the story, curious about the next one, and a little reluctant to close the cover.

How to make good bread at home
Good bread needs only four things: flour, water, salt and yeast. Mix five hundred grams of strong white flour with ten grams of salt and seven grams of dried yeast. Add three hundred and fifty millilitres of warm water and stir until the dough comes together. Knead it on a clean table for ten minutes, until it is smooth and elastic. Put it in a bowl, cover it with a cloth, and leave it somewhere warm for about an hour, or until it has doubled in size.
Then shape the dough into a loaf, place it on a floured tray, and let it rise again for thirty minutes. Bake it at two hundred and twenty degrees for thirty to thirty-five minutes. The loaf is ready when it sounds hollow if you tap the bottom. Let it cool before you cut it; the inside keeps cooking for a while after it leaves the oven.

Questions and answers
Q: Why is the sky blue?
A: Sunlight contains every colour. When it passes through the air, the short blue waves are scattered in all directions much more than the long red ones, so blue light reaches our eyes from every part of the sky.
Q: Why do we have seasons?
A: The Earth's axis is tilted. For part of the year one half of the planet leans towards the Sun and receives more direct light, which makes summer; six months later it leans away, which makes winter.
Q: How far away is the Moon?
A: On average about 384,000 kilometres, roughly thirty times the width of the Earth.
Q: What is 12 + 30?
A: 42.

A conversation at the library
"Excuse me, I'm looking for a book about gardening. Something simple, for beginners."
"Of course. The gardening section is on the second floor, next to cooking and travel. Are you interested in vegetables or flowers?"
"Vegetables, I think. I'd like to grow tomatoes and beans on my balcony."
"Then you'll want a book about container gardening. There's a very good one with lots of pictures. I can reserve it for you if it's out."
"That would be wonderful, thank you. How long can I keep it?"
"Three weeks, and you can renew it online twice unless someone else has asked for it."
"Perfect. I'll come back on Saturday."

Some advice for writing clearly
Say one thing per sentence. Prefer short, common words to long, rare ones. Put the important idea first, and the details after it. Read your text aloud: if you run out of breath, the sentence is too long. Cut every word that does not help the reader. When you explain a process, number the steps and describe them in the order they happen. When you disagree with someone, describe their position fairly before you explain yours. Finally, let your draft rest for a day; mistakes that were invisible yesterday are obvious this morning.

A short history of the bicycle
The first bicycles, built in the early nineteenth century, had no pedals at all: riders pushed themselves along with their feet. Pedals attached to the front wheel came next, and because one turn of the pedals meant one turn of the wheel, makers built ever larger front wheels to go faster. These high-wheelers were fast but dangerous, and a fall from one could be serious. The "safety bicycle" of the 1880s solved the problem with two wheels of the same size and a chain driving the rear wheel. Add air-filled tyres, invented soon after, and the modern bicycle was essentially complete. Within a few years millions of people, many of whom had never owned any kind of vehicle, could travel quickly and cheaply on their own.

Weather report
Tomorrow will begin cloudy with some light rain in the north, clearing by midday. The afternoon will be bright and mild, with temperatures reaching eighteen degrees in the south and fourteen in the north. Winds will be moderate, becoming strong along the western coast in the evening. On Thursday, expect sunny spells and scattered showers, some of them heavy, with a small chance of thunder.

Kindness, honesty and care
A helpful friend listens before giving advice, admits when they do not know something, and never pretends that a risky plan is safe. If someone asks how to do something dangerous, a caring person explains the risk plainly and suggests a safer way to reach the same goal. Honesty does not require cruelty: it is possible to tell the truth gently, to disagree politely, and to say "I was wrong" without embarrassment. These small habits build trust, and trust is what lets people work together on difficult problems.
`;
