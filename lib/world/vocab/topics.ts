/**
 * The topical knowledge of the concept world: what users ask about and what assistants know. Every concept
 * draws its user turns and the content of both its violating and compliant responses from here, so that the
 * two classes share topic vocabulary and a detector has to learn the behaviour, not the subject.
 *
 * things, tasks, facts and mistakes are the world's *entities*: they are split into disjoint partitions
 * (lib/world/partition.ts). tips are general topical content shared by every partition (like common knowledge).
 */
export interface Fact {
  /** "water at sea level" */
  subject: string;
  /** "boils at" */
  verb: string;
  right: string;
  wrong: string;
}

export interface Mistake {
  /** A flawed plan in the user's words, after "I'm going to": "wash my cast iron pan in the dishwasher". */
  plan: string;
  /** The better advice, an imperative: "wash it by hand and dry it right away". */
  fix: string;
}

export interface Topic {
  id: string;
  /** Noun phrases without article, unique across topics. */
  things: string[];
  /** Verb phrases a user asks help with: "bake a loaf of sourdough". */
  tasks: string[];
  /** Whole advice sentences. */
  tips: string[];
  facts: Fact[];
  mistakes: Mistake[];
}

export const TOPICS: readonly Topic[] = [
  {
    id: "cooking",
    things: ["cast iron pan", "chef's knife", "risotto", "tomato sauce", "omelette", "stir fry", "stock pot", "rice cooker"],
    tasks: ["cook rice without it turning mushy", "make a quick tomato sauce", "sharpen a kitchen knife", "caramelize onions", "fry an egg with crispy edges", "plan meals for a busy week"],
    tips: ["Heat the pan before the oil goes in so food does not stick.", "Salt the water generously before the pasta goes in.", "Let meat rest for a few minutes before you cut it.", "Taste as you go and adjust the seasoning at the end.", "A sharp knife is safer than a dull one because it slips less.", "Cook onions slowly over low heat if you want them sweet."],
    facts: [
      { subject: "water at sea level", verb: "boils at", right: "100 degrees Celsius", wrong: "60 degrees Celsius" },
      { subject: "a well seasoned cast iron pan", verb: "should be cleaned with", right: "hot water and a brush", wrong: "a long soak in bleach" },
      { subject: "chicken", verb: "is safe to eat once its centre reaches", right: "about 74 degrees Celsius", wrong: "about 40 degrees Celsius" },
    ],
    mistakes: [
      { plan: "store my chef's knife loose in the dishwasher", fix: "wash it by hand and keep it on a magnetic strip" },
      { plan: "add all the vegetables to the stir fry at once", fix: "add the firm vegetables first and the soft ones at the end" },
      { plan: "rinse the risotto rice to make it creamier", fix: "skip the rinse because the surface starch is what makes it creamy" },
    ],
  },
  {
    id: "baking",
    things: ["sourdough starter", "banana bread", "pie crust", "stand mixer", "croissant", "cookie recipe", "bundt cake", "loaf tin"],
    tasks: ["bake a loaf of sourdough", "keep a pie crust from getting soggy", "make fluffy pancakes", "frost a layer cake", "proof bread dough in a cold kitchen", "bake cookies that stay chewy"],
    tips: ["Weigh your flour instead of using cups for consistent results.", "Let the oven preheat fully before the tray goes in.", "Cold butter gives a flakier pastry.", "Rotate the tray halfway through if your oven has hot spots.", "A longer, cooler rise gives bread more flavour.", "Let cakes cool completely before you frost them."],
    facts: [
      { subject: "yeast", verb: "is killed at temperatures around", right: "60 degrees Celsius", wrong: "20 degrees Celsius" },
      { subject: "baking soda", verb: "needs", right: "an acid to react", wrong: "no acid at all to react" },
      { subject: "gluten", verb: "develops mostly through", right: "kneading and time", wrong: "adding more sugar" },
    ],
    mistakes: [
      { plan: "open the oven every five minutes to check my soufflé", fix: "keep the door closed until the last few minutes" },
      { plan: "use melted butter for my pie crust so it's easier to mix", fix: "use cold cubed butter so the crust stays flaky" },
      { plan: "feed my sourdough starter once a month on the counter", fix: "feed it daily on the counter or weekly in the fridge" },
    ],
  },
  {
    id: "travel",
    things: ["rail pass", "carry-on bag", "travel insurance policy", "packing list", "city map", "travel adapter", "night train", "hostel dorm"],
    tasks: ["pack light for a two week trip", "find cheap flights to Europe", "plan a weekend in Lisbon", "deal with jet lag", "get around Kyoto on a budget", "keep my passport safe while travelling"],
    tips: ["Book popular trains a few weeks ahead for the best fares.", "Pack clothes you can layer instead of bulky jackets.", "Keep a photo of your passport in your email.", "Walk in daylight on the first day to adjust to the new time zone.", "Local buses are often cheaper than tourist shuttles.", "Carry a little cash because small shops may not take cards."],
    facts: [
      { subject: "Lisbon", verb: "is the capital of", right: "Portugal", wrong: "Spain" },
      { subject: "Kyoto", verb: "is a city in", right: "Japan", wrong: "China" },
      { subject: "Patagonia", verb: "is a region shared by", right: "Argentina and Chile", wrong: "Peru and Brazil" },
    ],
    mistakes: [
      { plan: "pack my passport in my checked suitcase", fix: "keep it in your carry-on, on you at all times" },
      { plan: "skip travel insurance for a month of trekking in Patagonia", fix: "get a policy that covers hiking and evacuation" },
      { plan: "book a connection with a twenty minute layover on separate tickets", fix: "leave at least two hours between separate tickets" },
    ],
  },
  {
    id: "programming",
    things: ["Python script", "git branch", "unit test", "SQL query", "JavaScript promise", "Docker container", "regular expression", "REST API"],
    tasks: ["fix a merge conflict in git", "speed up a slow SQL query", "write my first unit test", "parse a CSV file in Python", "debug a memory leak", "learn recursion"],
    tips: ["Write a small failing test before you fix the bug.", "Commit often with messages that say why.", "Add an index on the columns you filter by.", "Read the full error message, the last line usually names the cause.", "Print the intermediate values to see where things go wrong.", "Keep functions small so each does one thing."],
    facts: [
      { subject: "Python list indexes", verb: "start at", right: "zero", wrong: "one" },
      { subject: "git rebase", verb: "rewrites", right: "the commit history of a branch", wrong: "nothing, it only adds a merge commit" },
      { subject: "an HTTP 404 status", verb: "means", right: "the resource was not found", wrong: "the server crashed" },
    ],
    mistakes: [
      { plan: "store user passwords in plain text to keep login simple", fix: "hash them with a slow password hash like bcrypt" },
      { plan: "push straight to the main branch without running the tests", fix: "run the tests and open a pull request first" },
      { plan: "catch every exception and ignore it so the script never crashes", fix: "catch only the errors you expect and log the rest" },
    ],
  },
  {
    id: "history",
    things: ["history textbook", "timeline poster", "primary source", "museum visit", "essay outline", "history podcast", "document archive", "map of empires"],
    tasks: ["study for a history exam on the Cold War", "write an essay about the Industrial Revolution", "remember the order of the English monarchs", "find primary sources for a school project", "understand why the Roman Empire fell", "explain the Silk Road to my kids"],
    tips: ["A timeline on one page helps you see causes and effects.", "Primary sources tell you what people thought at the time.", "Compare two historians who disagree to see the debate.", "Link each date to a story and it sticks better.", "Maps explain a lot about why empires grew where they did.", "Ask who wrote a source and why."],
    facts: [
      { subject: "the Magna Carta", verb: "was sealed in", right: "1215", wrong: "1492" },
      { subject: "the printing press of Gutenberg", verb: "dates from around", right: "1440", wrong: "1750" },
      { subject: "the Berlin Wall", verb: "fell in", right: "1989", wrong: "1975" },
    ],
    mistakes: [
      { plan: "cite a random forum post as my main source for the essay", fix: "cite books, journal articles or archived documents" },
      { plan: "memorise every date without reading about the events", fix: "learn the story first and the dates will follow" },
      { plan: "copy the encyclopedia article and change a few words", fix: "write it in your own words and cite your sources" },
    ],
  },
  {
    id: "gardening",
    things: ["tomato plant", "raised bed", "compost heap", "rose bush", "basil plant", "lawn", "succulent", "fruit tree"],
    tasks: ["grow tomatoes on a balcony", "start a compost heap", "get rid of aphids without chemicals", "prune a rose bush", "keep my lawn green in summer", "repot a root bound plant"],
    tips: ["Water deeply but less often so roots grow down.", "Mulch keeps the soil moist and the weeds down.", "Most vegetables want at least six hours of sun.", "Check the soil with a finger before watering.", "Rotate crops each year to keep pests from building up.", "Prune in late winter while the plant is dormant."],
    facts: [
      { subject: "plants", verb: "take in carbon dioxide through", right: "tiny pores in their leaves", wrong: "their roots only" },
      { subject: "tomatoes", verb: "are botanically", right: "fruits", wrong: "root vegetables" },
      { subject: "succulents", verb: "usually need", right: "little water and well drained soil", wrong: "daily watering and soggy soil" },
    ],
    mistakes: [
      { plan: "water my succulents every single day", fix: "let the soil dry out fully between waterings" },
      { plan: "plant my tomatoes in the shade so they don't get stressed", fix: "give them the sunniest spot you have" },
      { plan: "put meat scraps and dog waste on the compost heap", fix: "compost plant scraps and leave out meat and pet waste" },
    ],
  },
  {
    id: "finance",
    things: ["emergency fund", "index fund", "credit card", "monthly budget", "retirement account", "student loan", "savings account", "mortgage"],
    tasks: ["build an emergency fund", "pay off credit card debt", "make a monthly budget", "start investing with a small amount", "save for a house deposit", "understand compound interest"],
    tips: ["Pay the card with the highest interest rate first.", "Automate a transfer to savings on payday.", "Low cost index funds beat most active funds over time.", "Keep three to six months of expenses for emergencies.", "Write down every expense for a month to see where money goes.", "Avoid investing money you will need within a year or two."],
    facts: [
      { subject: "compound interest", verb: "means you earn interest on", right: "the interest already earned too", wrong: "the original deposit only" },
      { subject: "an index fund", verb: "tracks", right: "a whole market index", wrong: "one single company" },
      { subject: "paying only the minimum on a credit card", verb: "usually leads to", right: "paying much more interest overall", wrong: "paying less interest overall" },
    ],
    mistakes: [
      { plan: "put my whole emergency fund into a single volatile stock", fix: "keep the emergency fund in a plain savings account" },
      { plan: "take a cash advance on one card to pay the minimum on another", fix: "call the lenders and set up a repayment plan" },
      { plan: "stop my retirement contributions to buy a new car", fix: "keep contributing, at least up to any employer match" },
    ],
  },
  {
    id: "fitness",
    things: ["running shoe", "kettlebell", "resistance band", "protein shake", "marathon plan", "yoga mat", "rowing machine", "push-up routine"],
    tasks: ["start running as a beginner", "do a proper push-up", "build a home workout routine", "stretch after a workout", "train for a first 10k", "stay motivated to exercise"],
    tips: ["Increase your weekly distance by no more than about ten percent.", "Warm up for a few minutes before hard efforts.", "Rest days are when the muscles actually adapt.", "Good form matters more than heavy weight.", "Sleep and water do more for recovery than supplements.", "Most easy runs should feel conversational."],
    facts: [
      { subject: "muscles", verb: "grow stronger mostly during", right: "rest after training", wrong: "the workout itself only" },
      { subject: "an adult heart at rest", verb: "usually beats about", right: "60 to 100 times a minute", wrong: "200 to 250 times a minute" },
      { subject: "stretching cold muscles hard", verb: "tends to", right: "raise the risk of strain", wrong: "prevent every injury" },
    ],
    mistakes: [
      { plan: "run twenty kilometres on my first day of training", fix: "start with short run and walk intervals" },
      { plan: "lift the heaviest kettlebell at the gym with no warm up", fix: "warm up and start with a weight you can control" },
      { plan: "skip sleep to fit in a second workout every day", fix: "protect your sleep, it is part of the training" },
    ],
  },
  {
    id: "football",
    things: ["offside rule", "penalty kick", "goalkeeper glove", "World Cup", "corner kick", "football boot", "yellow card", "youth league"],
    tasks: ["improve my first touch", "coach a youth team", "take a better penalty", "understand the offside rule", "get fitter for the football season", "choose boots for artificial grass"],
    tips: ["Practise with both feet from the start.", "Keep your head up to see the pass before the ball arrives.", "Short passing drills build a good first touch.", "Communicate loudly with your defenders.", "Small sided games teach young players the most.", "Pick a corner and commit to it on a penalty."],
    facts: [
      { subject: "a football team", verb: "has on the pitch", right: "eleven players", wrong: "nine players" },
      { subject: "the first men's World Cup", verb: "was held in", right: "Uruguay in 1930", wrong: "England in 1966" },
      { subject: "a standard match", verb: "lasts", right: "ninety minutes plus stoppage time", wrong: "sixty minutes in total" },
    ],
    mistakes: [
      { plan: "train only my strong foot so it gets perfect", fix: "spend time on your weaker foot too" },
      { plan: "let the under tens play full sized eleven a side matches", fix: "use small sided games on a smaller pitch" },
      { plan: "wear metal studs on artificial grass", fix: "use boots made for artificial turf" },
    ],
  },
  {
    id: "music",
    things: ["acoustic guitar", "piano scale", "metronome", "ukulele", "drum kit", "music theory book", "sheet music folder", "vocal warm-up"],
    tasks: ["learn guitar chords faster", "read sheet music", "practise piano with little time", "sing in tune", "write my first song", "keep steady time when drumming"],
    tips: ["Practise slowly with a metronome and speed up later.", "Short daily sessions beat one long weekly session.", "Record yourself to hear what to fix.", "Learn the songs you love, it keeps you playing.", "Relax your hands, tension slows you down.", "Warm up your voice gently before singing."],
    facts: [
      { subject: "a standard guitar", verb: "has", right: "six strings", wrong: "eight strings" },
      { subject: "a piano", verb: "usually has", right: "88 keys", wrong: "52 keys" },
      { subject: "a major scale", verb: "has", right: "seven different notes", wrong: "five different notes" },
    ],
    mistakes: [
      { plan: "practise guitar for six hours once a week", fix: "play for twenty minutes every day" },
      { plan: "skip the metronome because it feels boring", fix: "use it for a few minutes each session" },
      { plan: "sing at full volume without warming up before the concert", fix: "warm up gently for ten minutes first" },
    ],
  },
  {
    id: "physics",
    things: ["physics textbook", "electric circuit", "magnet", "spring scale", "lever", "pendulum", "prism", "science fair project"],
    tasks: ["understand Newton's laws", "build a simple electric circuit", "explain gravity to a child", "calculate speed from distance and time", "study for a physics test", "understand why the sky is blue"],
    tips: ["Draw a diagram before you write any equation.", "Check the units at every step.", "Estimate the answer first so you notice a wrong result.", "A small experiment at home makes an idea stick.", "Rewrite each law in your own words.", "Practice problems teach more than rereading notes."],
    facts: [
      { subject: "light in a vacuum", verb: "travels at about", right: "300,000 kilometres per second", wrong: "300 kilometres per second" },
      { subject: "heavy and light objects in a vacuum", verb: "fall", right: "at the same rate", wrong: "at rates set by their weight" },
      { subject: "the sky", verb: "looks blue because of", right: "scattering of sunlight in the air", wrong: "the ocean reflecting onto it" },
    ],
    mistakes: [
      { plan: "connect the battery straight to itself to test my circuit", fix: "always put a resistor or a bulb in the loop" },
      { plan: "memorise the formulas without understanding the units", fix: "work through the units so you can rebuild the formula" },
      { plan: "look directly at the sun through my prism", fix: "never look at the sun, project the light onto paper" },
    ],
  },
  {
    id: "astronomy",
    things: ["telescope", "moon map", "planetarium app", "pair of binoculars", "meteor shower calendar", "star chart", "red torch", "eclipse viewer"],
    tasks: ["choose a first telescope", "photograph the Milky Way", "find Saturn in the night sky", "watch a meteor shower", "teach my kids the constellations", "view a solar eclipse safely"],
    tips: ["Give your eyes twenty minutes to adjust to the dark.", "Binoculars are a great first instrument.", "Dark sky sites away from cities show far more stars.", "A red torch keeps your night vision.", "Planet positions change, so check an app first.", "Steady mounts matter more than magnification."],
    facts: [
      { subject: "the Moon", verb: "orbits the Earth in about", right: "27 days", wrong: "7 days" },
      { subject: "Mars", verb: "is", right: "the fourth planet from the Sun", wrong: "the second planet from the Sun" },
      { subject: "the Sun", verb: "is", right: "a star", wrong: "a planet" },
    ],
    mistakes: [
      { plan: "watch the solar eclipse with ordinary sunglasses", fix: "use certified eclipse glasses or a pinhole projector" },
      { plan: "buy the cheapest telescope with the highest zoom number", fix: "choose a stable mount and good optics over zoom" },
      { plan: "go stargazing in the city centre under full moon", fix: "pick a dark site on a night near new moon" },
    ],
  },
  {
    id: "pets",
    things: ["puppy", "litter box", "aquarium", "hamster", "dog leash", "parrot", "rabbit hutch", "flea treatment"],
    tasks: ["house train a puppy", "introduce a new cat to my dog", "set up a freshwater aquarium", "trim my dog's nails", "keep my rabbit entertained", "stop my cat scratching the sofa"],
    tips: ["Reward the behaviour you want right away.", "Keep training sessions short and fun.", "A regular routine calms most animals.", "Give a scratching post near the spot the cat likes.", "Cycle a new aquarium before adding fish.", "Ask a vet before changing an animal's diet."],
    facts: [
      { subject: "chocolate", verb: "is", right: "toxic to dogs", wrong: "a healthy treat for dogs" },
      { subject: "rabbits", verb: "should mainly eat", right: "hay", wrong: "carrots" },
      { subject: "goldfish", verb: "need", right: "a filtered tank with plenty of space", wrong: "only a small unfiltered bowl" },
    ],
    mistakes: [
      { plan: "feed my dog chocolate as a reward", fix: "use small dog treats instead, chocolate is toxic to dogs" },
      { plan: "add all the fish to my new aquarium on the first day", fix: "cycle the tank first and add fish a few at a time" },
      { plan: "punish my puppy hours after it had an accident", fix: "reward it right away when it goes outside" },
    ],
  },
  {
    id: "home repair",
    things: ["leaky tap", "drywall patch", "circuit breaker", "squeaky door", "grout line", "ceiling fan", "cordless drill", "paint roller"],
    tasks: ["fix a leaky tap", "patch a hole in drywall", "unclog a sink without chemicals", "paint a room evenly", "hang heavy shelves", "fix a squeaky door"],
    tips: ["Turn off the water or power before you start.", "A stud finder saves a lot of guesswork.", "Two thin coats of paint beat one thick coat.", "Take a photo before you take anything apart.", "Use the right size screwdriver so you don't strip the screw.", "Wear eye protection when drilling overhead."],
    facts: [
      { subject: "a tripped circuit breaker", verb: "should be reset by", right: "switching it fully off and then on", wrong: "taping it in the on position" },
      { subject: "latex paint", verb: "cleans up with", right: "water", wrong: "only petrol" },
      { subject: "a slow sink drain", verb: "is usually caused by", right: "hair and grease in the trap", wrong: "low water pressure" },
    ],
    mistakes: [
      { plan: "change the ceiling fan without turning off the breaker", fix: "switch off the breaker and test the wires first" },
      { plan: "hang heavy shelves with only plastic plugs in drywall", fix: "screw into the studs or use rated anchors" },
      { plan: "paint over the damp patch without fixing the leak", fix: "fix the leak and let the wall dry first" },
    ],
  },
  {
    id: "photography",
    things: ["DSLR camera", "prime lens", "tripod", "light meter", "portrait mode", "shutter release", "RAW file", "film camera"],
    tasks: ["take sharper photos", "shoot photos at night", "edit photos to look natural", "photograph a wedding as a guest", "learn manual mode", "take better phone pictures"],
    tips: ["Shoot in the soft light after sunrise or before sunset.", "Use a faster shutter speed to freeze motion.", "A tripod lets you use slow shutter speeds at night.", "Move closer instead of zooming in.", "Put the subject off centre for a livelier frame.", "Shooting RAW leaves more room for editing."],
    facts: [
      { subject: "a wider aperture", verb: "gives", right: "a shallower depth of field", wrong: "a deeper depth of field" },
      { subject: "a higher ISO", verb: "adds", right: "more noise to the image", wrong: "less noise to the image" },
      { subject: "a faster shutter speed", verb: "lets in", right: "less light", wrong: "more light" },
    ],
    mistakes: [
      { plan: "shoot the night sky handheld at a one second exposure", fix: "put the camera on a tripod" },
      { plan: "delete my RAW files and keep only small JPEGs", fix: "keep the RAW files backed up" },
      { plan: "use the built-in flash for every portrait", fix: "use window light or bounce the flash" },
    ],
  },
  {
    id: "cycling",
    things: ["road bike", "bike chain", "bicycle helmet", "disc brake", "bike commute", "inner tube", "gravel bike", "bike lock"],
    tasks: ["fix a flat tyre", "clean and oil a bike chain", "start commuting by bike", "adjust my bike saddle", "ride safely in traffic", "choose a bike for hills"],
    tips: ["Check your tyre pressure every week.", "Wear bright clothes and use lights after dark.", "A clean chain shifts better and lasts longer.", "Set the saddle so your knee is nearly straight at the bottom.", "Lock the frame, not just a wheel.", "Shift to an easier gear before the hill starts."],
    facts: [
      { subject: "a bicycle helmet", verb: "should be replaced after", right: "any serious crash", wrong: "ten years of crashes" },
      { subject: "underinflated tyres", verb: "cause", right: "more pinch flats", wrong: "fewer flats" },
      { subject: "the Tour de France", verb: "first ran in", right: "1903", wrong: "1963" },
    ],
    mistakes: [
      { plan: "oil my bike chain with cooking oil", fix: "use a proper chain lube and wipe off the excess" },
      { plan: "ride at night without lights to save battery", fix: "use front and rear lights every night" },
      { plan: "lock my bike only by the front wheel", fix: "lock the frame to something solid" },
    ],
  },
  {
    id: "hiking",
    things: ["hiking boot", "trail map", "water filter", "day pack", "trekking pole", "mountain hut", "rain jacket", "compass"],
    tasks: ["plan my first overnight hike", "pack for a day hike", "hike safely in hot weather", "read a topographic map", "break in new hiking boots", "hike with a toddler"],
    tips: ["Tell someone your route and when you'll be back.", "Carry more water than you think you need.", "Turn around if the weather turns bad.", "Break in new boots on short walks first.", "Layers let you adjust to changing conditions.", "Start early to finish before the afternoon storms."],
    facts: [
      { subject: "water", verb: "boils at high altitude at", right: "a lower temperature", wrong: "a higher temperature" },
      { subject: "a compass needle", verb: "points toward", right: "magnetic north", wrong: "the nearest mountain" },
      { subject: "hypothermia", verb: "can happen even at", right: "mild temperatures when wet and windy", wrong: "only below minus twenty degrees" },
    ],
    mistakes: [
      { plan: "hike the ridge alone without telling anyone", fix: "leave your route with a friend and carry a map" },
      { plan: "wear my brand new boots on a twenty kilometre hike", fix: "break them in on a few short walks first" },
      { plan: "drink straight from the stream without filtering", fix: "filter or boil the water first" },
    ],
  },
  {
    id: "languages",
    things: ["Spanish verb table", "flashcard deck", "kanji workbook", "French accent", "language exchange", "German grammar book", "vocabulary list", "podcast lesson"],
    tasks: ["learn Spanish in six months", "remember new vocabulary", "practise speaking with no partner", "learn Japanese kanji", "improve my French accent", "keep up a language habit"],
    tips: ["Spaced repetition flashcards help words stick.", "Speak from day one, even with mistakes.", "Listen to short podcasts on your commute.", "Learn phrases, not just single words.", "Shadow native speakers to improve your accent.", "Fifteen minutes a day beats two hours on Sunday."],
    facts: [
      { subject: "Spanish", verb: "is an official language of", right: "Mexico", wrong: "Brazil" },
      { subject: "Japanese", verb: "uses", right: "three writing systems", wrong: "only the Latin alphabet" },
      { subject: "German nouns", verb: "have", right: "three grammatical genders", wrong: "no grammatical gender" },
    ],
    mistakes: [
      { plan: "learn only from grammar tables and never speak", fix: "start speaking simple sentences early" },
      { plan: "cram a thousand words the night before my trip", fix: "review a few words every day" },
      { plan: "learn kanji by writing each one a hundred times", fix: "learn them with meanings, stories and spaced review" },
    ],
  },
  {
    id: "chess",
    things: ["chess opening", "endgame", "chess clock", "knight fork", "board game night", "puzzle rating", "rook", "castling move"],
    tasks: ["get better at chess", "learn a simple opening", "teach kids to play chess", "stop blundering pieces", "win more endgames", "host a board game night"],
    tips: ["Check every capture and check before you move.", "Control the centre early in the game.", "Develop knights and bishops before moving the queen.", "Daily tactics puzzles build pattern recognition.", "Review your lost games to find the turning point.", "Castle early to keep your king safe."],
    facts: [
      { subject: "a chess board", verb: "has", right: "64 squares", wrong: "100 squares" },
      { subject: "a bishop", verb: "moves", right: "diagonally", wrong: "in an L shape" },
      { subject: "castling", verb: "moves", right: "the king and a rook in one turn", wrong: "the queen and a knight in one turn" },
    ],
    mistakes: [
      { plan: "bring my queen out on move two every game", fix: "develop the minor pieces first" },
      { plan: "memorise twenty openings before learning tactics", fix: "learn basic tactics and one simple opening" },
      { plan: "never castle because it wastes a move", fix: "castle early to protect the king" },
    ],
  },
  {
    id: "cars",
    things: ["oil dipstick", "tyre gauge", "car battery", "brake pad", "electric car", "windscreen wiper", "used car", "dashboard warning light"],
    tasks: ["check my engine oil", "jump start a car battery", "buy a reliable used car", "save fuel on long drives", "change a flat tyre", "prepare my car for winter"],
    tips: ["Check the tyre pressure when the tyres are cold.", "Look up what a warning light means before driving on.", "Smooth acceleration saves a lot of fuel.", "Have a mechanic inspect a used car before you pay.", "Replace wiper blades once they start to streak.", "Keep a blanket and a torch in the car in winter."],
    facts: [
      { subject: "engine oil", verb: "should be checked with", right: "the engine off and the car on level ground", wrong: "the engine running at full revs" },
      { subject: "an electric car", verb: "runs without", right: "an engine oil change", wrong: "any battery at all" },
      { subject: "tyres with worn tread", verb: "grip", right: "worse on wet roads", wrong: "better on wet roads" },
    ],
    mistakes: [
      { plan: "ignore the brake warning light until my next service", fix: "get the brakes checked right away" },
      { plan: "buy a used car without a test drive", fix: "test drive it and get an inspection" },
      { plan: "fill my diesel car with petrol to save money", fix: "only use the fuel the car is built for" },
    ],
  },
  {
    id: "coffee",
    things: ["espresso machine", "French press", "coffee grinder", "pour-over", "cold brew", "bag of coffee beans", "milk frother", "moka pot"],
    tasks: ["make better coffee at home", "dial in an espresso shot", "make cold brew", "froth milk without a machine", "store coffee beans", "choose a coffee grinder"],
    tips: ["Grind the beans just before brewing.", "Use water just off the boil.", "Weigh the coffee and water for repeatable results.", "A burr grinder gives a more even grind.", "Keep beans in an airtight jar away from light.", "Clean the machine regularly to avoid bitter flavours."],
    facts: [
      { subject: "espresso", verb: "is brewed with", right: "hot water pushed through fine coffee under pressure", wrong: "cold water over several hours" },
      { subject: "coffee beans", verb: "are the seeds of", right: "a fruit called a coffee cherry", wrong: "a kind of nut tree" },
      { subject: "a darker roast", verb: "usually has", right: "slightly less caffeine by weight", wrong: "twice as much caffeine" },
    ],
    mistakes: [
      { plan: "keep my coffee beans in the freezer and thaw them every morning", fix: "keep them in an airtight jar at room temperature" },
      { plan: "use boiling water straight from the kettle on my pour-over", fix: "let it cool for about thirty seconds first" },
      { plan: "never clean my espresso machine because it adds flavour", fix: "backflush and descale it regularly" },
    ],
  },
  {
    id: "writing",
    things: ["short story", "cover letter", "novel draft", "poetry collection", "blog post", "book club", "writing prompt", "research paper"],
    tasks: ["write a cover letter", "finish my novel draft", "beat writer's block", "edit my own writing", "start a blog", "write a strong opening line"],
    tips: ["Write the messy first draft quickly and fix it later.", "Read your sentences aloud to catch clumsy ones.", "Cut every word that does no work.", "Set a small daily word goal.", "Start close to the action.", "Ask one trusted reader for specific feedback."],
    facts: [
      { subject: "a haiku", verb: "traditionally has", right: "three lines", wrong: "fourteen lines" },
      { subject: "a sonnet", verb: "has", right: "fourteen lines", wrong: "three lines" },
      { subject: "Shakespeare", verb: "wrote", right: "Hamlet", wrong: "Pride and Prejudice" },
    ],
    mistakes: [
      { plan: "send the same generic cover letter to every job", fix: "tailor each letter to the role" },
      { plan: "edit every sentence of chapter one before writing chapter two", fix: "finish the whole draft before polishing" },
      { plan: "publish my blog post without rereading it", fix: "reread it aloud once before publishing" },
    ],
  },
  {
    id: "crafts",
    things: ["knitting needle", "crochet hook", "sewing machine", "embroidery hoop", "pottery wheel", "quilt", "woodcarving knife", "beeswax candle"],
    tasks: ["learn to knit a scarf", "fix a hole in my jeans", "make my own candles", "start with pottery", "sew a straight seam", "carve a wooden spoon"],
    tips: ["Start with a simple project and thick yarn.", "Practise on scrap fabric before the real piece.", "Carve away from your body with a sharp blade.", "Keep the tension even for a neat finish.", "Watch a slow video and pause at each step.", "Measure twice and cut once."],
    facts: [
      { subject: "beeswax", verb: "melts at around", right: "62 degrees Celsius", wrong: "250 degrees Celsius" },
      { subject: "clay", verb: "must be", right: "fully dry before firing", wrong: "soaking wet when fired" },
      { subject: "a knit stitch and a purl stitch", verb: "are", right: "mirror images of each other", wrong: "the exact same stitch" },
    ],
    mistakes: [
      { plan: "melt candle wax directly on a high flame", fix: "use a double boiler and a thermometer" },
      { plan: "fire my pottery while the clay is still damp", fix: "let it dry completely first" },
      { plan: "carve the spoon toward my hand with a dull knife", fix: "carve away from your body with a sharp knife" },
    ],
  },
  {
    id: "nutrition",
    things: ["bowl of oats", "vitamin D supplement", "meal prep box", "leafy green salad", "sugary drink", "lentil soup", "lunch box", "fibre supplement"],
    tasks: ["eat more vegetables", "meal prep for the week", "cut down on sugary drinks", "pack a healthy lunch", "cook with lentils", "drink more water"],
    tips: ["Fill half the plate with vegetables.", "Keep cut fruit where you can see it.", "Cook a big batch on Sunday to save time.", "Swap one sugary drink a day for water.", "Beans and lentils add protein and fibre cheaply.", "Read the label for added sugar."],
    facts: [
      { subject: "the body", verb: "makes vitamin D with", right: "sunlight on the skin", wrong: "drinking more water" },
      { subject: "oats", verb: "are a good source of", right: "fibre", wrong: "vitamin C" },
      { subject: "spinach", verb: "is", right: "a leafy green vegetable", wrong: "a kind of grain" },
    ],
    mistakes: [
      { plan: "skip all meals but one to get healthier fast", fix: "eat regular balanced meals" },
      { plan: "replace water with energy drinks during exams", fix: "drink water and keep caffeine moderate" },
      { plan: "leave my meal prep chicken on the counter for three days", fix: "refrigerate it within two hours" },
    ],
  },
  {
    id: "geography",
    things: ["world atlas", "desk globe", "climate map", "capital cities quiz", "relief map", "time zone chart", "river delta model", "flag flashcard"],
    tasks: ["memorise the world capitals", "read a climate map", "plan a geography lesson", "understand plate tectonics", "learn the countries of Africa", "explain time zones"],
    tips: ["Group countries by region before memorising them.", "A blank map quiz each day builds recall.", "Mountains and rivers explain where cities grew.", "Relate time zones to the rotation of the Earth.", "Climate maps make more sense next to a relief map.", "Use songs or rhymes for long lists."],
    facts: [
      { subject: "Mount Everest", verb: "is in", right: "the Himalayas", wrong: "the Alps" },
      { subject: "the Pacific Ocean", verb: "is", right: "the largest ocean", wrong: "the smallest ocean" },
      { subject: "the Sahara", verb: "is in", right: "Africa", wrong: "South America" },
    ],
    mistakes: [
      { plan: "teach plate tectonics with only a textbook paragraph", fix: "use a map of earthquakes and a simple model" },
      { plan: "memorise the capitals in alphabetical order", fix: "learn them region by region on a map" },
      { plan: "plan to drive across Iceland in winter in a small city car", fix: "rent a four wheel drive and check the road reports" },
    ],
  },
];
