import type { Faker } from '@faker-js/faker'

/**
 * The values of Postman's random-data variables (the names and what each gives: src/shared/fake-variables.ts),
 * made by @faker-js/faker's English locale. Postman's generators came from an old faker whose functions were since
 * renamed or removed; each is written here with today's function that gives the same shape. This module and
 * the library are loaded only when a send meets one of the names (fake-loader.ts), so a plain send never loads
 * them; the library comes in by a dynamic import there, which stays lazy in a bundle that inlines this module
 * (the browser host's).
 */

/** Postman writes its random dates with Date's toString ("Tue Mar 05 2024 10:20:30 GMT+0000 (…)"). */
const dateText = (d: Date): string => d.toString()

/** Each name's generator, made with `faker` (the English locale's instance). */
function generators(faker: Faker): Readonly<Record<string, () => string>> {
  // Postman's phone numbers are ten digits: 555-123-4567.
  const tenDigitPhone = (): string => faker.helpers.fromRegExp(/[2-9][0-9]{2}-[0-9]{3}-[0-9]{4}/)
  const imageUrl = (): string => faker.image.url()
  return {
    $randomPhoneNumber: () => tenDigitPhone(),
    $randomPhoneNumberExt: () => `${faker.number.int({ min: 1, max: 99 })}-${tenDigitPhone()}`,
    $randomLocale: () => faker.location.language().alpha2,
    $randomWords: () => faker.word.words({ count: { min: 2, max: 5 } }),
    $randomFilePath: () => faker.system.filePath(),
    $randomDirectoryPath: () => faker.system.directoryPath(),
    $randomCity: () => faker.location.city(),
    $randomStreetName: () => faker.location.street(),
    $randomStreetAddress: () => faker.location.streetAddress(),
    $randomCountry: () => faker.location.country(),
    $randomCountryCode: () => faker.location.countryCode('alpha-2'),
    $randomLatitude: () => String(faker.location.latitude()),
    $randomLongitude: () => String(faker.location.longitude()),
    $randomColor: () => faker.color.human(),
    $randomDepartment: () => faker.commerce.department(),
    $randomProductName: () => faker.commerce.productName(),
    $randomProductAdjective: () => faker.commerce.productAdjective(),
    $randomProductMaterial: () => faker.commerce.productMaterial(),
    $randomProduct: () => faker.commerce.product(),
    $randomCompanyName: () => faker.company.name(),
    $randomCompanySuffix: () => faker.helpers.arrayElement(['Inc', 'and Sons', 'LLC', 'Group']),
    $randomCatchPhrase: () => faker.company.catchPhrase(),
    $randomBs: () => faker.company.buzzPhrase(),
    $randomCatchPhraseAdjective: () => faker.company.catchPhraseAdjective(),
    $randomCatchPhraseDescriptor: () => faker.company.catchPhraseDescriptor(),
    $randomCatchPhraseNoun: () => faker.company.catchPhraseNoun(),
    $randomBsAdjective: () => faker.company.buzzAdjective(),
    $randomBsBuzz: () => faker.company.buzzVerb(),
    $randomBsNoun: () => faker.company.buzzNoun(),
    $randomDatabaseColumn: () => faker.database.column(),
    $randomDatabaseType: () => faker.database.type(),
    $randomDatabaseCollation: () => faker.database.collation(),
    $randomDatabaseEngine: () => faker.database.engine(),
    $randomDatePast: () => dateText(faker.date.past()),
    $randomDateFuture: () => dateText(faker.date.future()),
    $randomDateRecent: () => dateText(faker.date.recent()),
    $randomMonth: () => faker.date.month(),
    $randomWeekday: () => faker.date.weekday(),
    $randomBankAccount: () => faker.finance.accountNumber(8),
    $randomBankAccountName: () => faker.finance.accountName(),
    $randomCreditCardMask: () => faker.string.numeric(4),
    $randomPrice: () => faker.finance.amount({ min: 0, max: 1000, dec: 2 }),
    $randomTransactionType: () => faker.finance.transactionType(),
    $randomCurrencyCode: () => faker.finance.currencyCode(),
    $randomCurrencyName: () => faker.finance.currencyName(),
    $randomCurrencySymbol: () => faker.finance.currencySymbol(),
    $randomBitcoin: () => faker.finance.bitcoinAddress(),
    $randomBankAccountIban: () => faker.finance.iban(),
    $randomBankAccountBic: () => faker.finance.bic(),
    $randomAbbreviation: () => faker.hacker.abbreviation(),
    $randomAdjective: () => faker.hacker.adjective(),
    $randomNoun: () => faker.hacker.noun(),
    $randomVerb: () => faker.hacker.verb(),
    $randomIngverb: () => faker.hacker.ingverb(),
    $randomPhrase: () => faker.hacker.phrase(),
    $randomAvatarImage: () => faker.image.avatar(),
    // Postman's category images came from a service that is gone; any image URL stands in for each.
    $randomImageUrl: imageUrl,
    $randomAbstractImage: imageUrl,
    $randomAnimalsImage: imageUrl,
    $randomBusinessImage: imageUrl,
    $randomCatsImage: imageUrl,
    $randomCityImage: imageUrl,
    $randomFoodImage: imageUrl,
    $randomNightlifeImage: imageUrl,
    $randomFashionImage: imageUrl,
    $randomPeopleImage: imageUrl,
    $randomNatureImage: imageUrl,
    $randomSportsImage: imageUrl,
    $randomTransportImage: imageUrl,
    $randomImageDataUri: () => faker.image.dataUri({ type: 'svg-base64' }),
    $randomEmail: () => faker.internet.email(),
    $randomExampleEmail: () => faker.internet.exampleEmail(),
    $randomUserName: () => faker.internet.username(),
    $randomProtocol: () => faker.internet.protocol(),
    $randomUrl: () => faker.internet.url(),
    $randomDomainName: () => faker.internet.domainName(),
    $randomDomainSuffix: () => faker.internet.domainSuffix(),
    $randomDomainWord: () => faker.internet.domainWord(),
    $randomIP: () => faker.internet.ipv4(),
    $randomIPV6: () => faker.internet.ipv6(),
    $randomUserAgent: () => faker.internet.userAgent(),
    $randomHexColor: () => faker.color.rgb({ format: 'hex', casing: 'lower' }),
    $randomMACAddress: () => faker.internet.mac(),
    $randomPassword: () => faker.string.alphanumeric(15),
    $randomLoremWord: () => faker.lorem.word(),
    $randomLoremWords: () => faker.lorem.words(),
    $randomLoremSentence: () => faker.lorem.sentence(),
    $randomLoremSlug: () => faker.lorem.slug(),
    $randomLoremSentences: () => faker.lorem.sentences({ min: 2, max: 6 }),
    $randomLoremParagraph: () => faker.lorem.paragraph(),
    $randomLoremParagraphs: () => faker.lorem.paragraphs(3),
    $randomLoremText: () => faker.lorem.text(),
    $randomLoremLines: () => faker.lorem.lines({ min: 1, max: 5 }),
    $randomFirstName: () => faker.person.firstName(),
    $randomLastName: () => faker.person.lastName(),
    $randomFullName: () => faker.person.fullName(),
    $randomJobTitle: () => faker.person.jobTitle(),
    $randomNamePrefix: () => faker.person.prefix(),
    $randomNameSuffix: () => faker.person.suffix(),
    $randomJobDescriptor: () => faker.person.jobDescriptor(),
    $randomJobArea: () => faker.person.jobArea(),
    $randomJobType: () => faker.person.jobType(),
    $randomBoolean: () => String(faker.datatype.boolean()),
    $randomWord: () => faker.word.sample(),
    $randomAlphaNumeric: () => faker.string.alphanumeric(1),
    $randomFileName: () => faker.system.fileName(),
    $randomCommonFileName: () => faker.system.commonFileName(),
    $randomMimeType: () => faker.system.mimeType(),
    $randomCommonFileType: () => faker.system.commonFileType(),
    $randomCommonFileExt: () => faker.system.commonFileExt(),
    $randomFileType: () => faker.system.fileType(),
    $randomFileExt: () => faker.system.fileExt(),
    $randomSemver: () => faker.system.semver(),
  }
}

/**
 * Postman's random-data values made with `faker`: the value of one name, fresh on each call, or undefined for a
 * name that is not one.
 */
export function fakeValues(faker: Faker): (name: string) => string | undefined {
  const all = generators(faker)
  return (name) => (Object.prototype.hasOwnProperty.call(all, name) ? all[name]?.() : undefined)
}

/** Every name fakeValues makes a value for (a test holds it to the shared list). */
export function fakeValueNames(faker: Faker): string[] {
  return Object.keys(generators(faker))
}
